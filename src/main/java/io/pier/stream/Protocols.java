package io.pier.stream;

import java.util.List;
import java.util.Optional;

/** The stream protocol names client-go and kubelet negotiate, newest first. */
final class Protocols {

  /** The SPDY upgrade token. */
  static final String SPDY = "SPDY/3.1";
  /** Remote command over WebSocket with the stream-close signal. */
  static final String V5 = "v5.channel.k8s.io";
  static final String V4 = "v4.channel.k8s.io";
  static final String V3 = "v3.channel.k8s.io";
  static final String V2 = "v2.channel.k8s.io";
  static final String V1 = "channel.k8s.io";
  static final String PORT_FORWARD = "portforward.k8s.io";
  /** Port-forward's SPDY frames tunnelled in WebSocket binary messages. */
  static final String PORT_FORWARD_TUNNEL = SPDY + "+" + PORT_FORWARD;

  /** Remote command protocols over SPDY. */
  static final List<String> SPDY_COMMAND = List.of(V4, V3, V2, V1);
  /** Remote command protocols over WebSocket. */
  static final List<String> WEBSOCKET_COMMAND = List.of(V5, V4, V3, V2, V1);

  private Protocols() {}

  /** The first of {@code supported} that the client offers, in the server's order. */
  static Optional<String> choose(List<String> supported, List<String> offered) {
    return supported.stream().filter(offered::contains).findFirst();
  }

  /** Whether exit status goes on the error stream as a Status object (v4 and later). */
  static boolean statusOnErrorStream(String protocol) {
    return protocol.equals(V4) || protocol.equals(V5);
  }

  /** Whether the protocol has a resize stream (v3 and later). */
  static boolean hasResize(String protocol) {
    return !protocol.equals(V1) && !protocol.equals(V2);
  }
}
