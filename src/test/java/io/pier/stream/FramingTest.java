package io.pier.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pier.stream.CommandSession.Stream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The wire facts of the streaming protocols, without a network. */
class FramingTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void resizeMessagesAreFoundAcrossFrameBoundaries() {
    ResizeDecoder decoder = new ResizeDecoder();
    assertEquals(List.of(), decoder.feed(bytes("{\"Width\":80,\"He")));
    assertEquals(List.of(new TerminalSize(80, 24), new TerminalSize(100, 30)),
        decoder.feed(bytes("ight\":24}{\"Width\":100,\"Height\":30}{\"Wid")));
    assertEquals(List.of(new TerminalSize(1, 2)), decoder.feed(bytes("th\":1,\"Height\":2}")));
    assertEquals(List.of(), decoder.feed(bytes("{\"Width\":0,\"Height\":0}")));
  }

  @Test
  void exitCodesBecomeStatusObjectsFromV4On() throws Exception {
    JsonNode ok = json.readTree(ExitStatus.exited(Protocols.V4, 0));
    assertEquals("Success", ok.path("status").asText());
    JsonNode failed = json.readTree(ExitStatus.exited(Protocols.V5, 7));
    assertEquals("Failure", failed.path("status").asText());
    assertEquals("NonZeroExitCode", failed.path("reason").asText());
    assertEquals("ExitCode", failed.at("/details/causes/0/reason").asText());
    assertEquals("7", failed.at("/details/causes/0/message").asText());
    assertEquals(0, ExitStatus.exited(Protocols.V3, 0).length);
    assertEquals("command terminated with non-zero exit code: 2",
        new String(ExitStatus.exited(Protocols.V2, 2), StandardCharsets.UTF_8));
    assertEquals("InternalError", json.readTree(ExitStatus.failed(Protocols.V4, "boom"))
        .path("reason").asText());
  }

  @Test
  void webSocketMessagesStartWithTheChannelNumber() {
    ByteBuf frame = WebSocketCommand.frame(Stream.STDERR.ordinal(), bytes("xabcx"), 1, 3);
    assertArrayEquals(new byte[] {2, 'a', 'b', 'c'}, ByteBufUtil.getBytes(frame));
    frame.release();
    assertEquals(Optional.of(Stream.STDIN), WebSocketCommand.stream(0));
    assertEquals(Optional.of(Stream.ERROR), WebSocketCommand.stream(3));
    assertEquals(Optional.of(Stream.RESIZE), WebSocketCommand.stream(4));
    assertEquals(Optional.empty(), WebSocketCommand.stream(WebSocketCommand.CLOSE_SIGNAL));
  }

  @Test
  void spdyStreamTypesNameTheirRole() {
    assertEquals(Optional.of(Stream.STDIN), SpdyCommand.role("stdin"));
    assertEquals(Optional.of(Stream.ERROR), SpdyCommand.role("error"));
    assertEquals(Optional.of(Stream.RESIZE), SpdyCommand.role("resize"));
    assertEquals(Optional.empty(), SpdyCommand.role("data"));
  }

  @Test
  void theNewestCommonProtocolIsChosen() {
    assertEquals(Optional.of(Protocols.V4), Protocols.choose(Protocols.SPDY_COMMAND,
        List.of(Protocols.V5, Protocols.V4, Protocols.V3, Protocols.V2, Protocols.V1)));
    assertEquals(Optional.of(Protocols.V2), Protocols.choose(Protocols.SPDY_COMMAND,
        List.of(Protocols.V1, Protocols.V2)));
    assertEquals(Optional.empty(), Protocols.choose(Protocols.SPDY_COMMAND,
        List.of("v9.channel.k8s.io")));
    assertTrue(Protocols.hasResize(Protocols.V3));
    assertEquals(false, Protocols.hasResize(Protocols.V2));
  }

  @Test
  void tokensServeOnceAndExpire() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    StreamTokens tokens = new StreamTokens(clock);
    StreamRequest request = new StreamRequest.PortForward("pod");
    String once = tokens.issue(request);
    assertEquals(Optional.of(request), tokens.redeem(once));
    assertEquals(Optional.empty(), tokens.redeem(once));
    String late = tokens.issue(request);
    clock.now = clock.now.plus(StreamTokens.LIFETIME).plusSeconds(1);
    assertEquals(Optional.empty(), tokens.redeem(late));
    assertEquals(Optional.empty(), tokens.redeem("never-issued"));
  }

  @Test
  void portHeadersAreChecked() {
    assertEquals(8080, PortForwardSession.parsePort("8080"));
    assertEquals("port 0 is out of range", assertThrowsMessage("0"));
    assertEquals("invalid port \"http\"", assertThrowsMessage("http"));
  }

  @Test
  void streamAddressesParse() {
    assertEquals(10010, StreamServer.parse(":10010").getPort());
    assertEquals("127.0.0.1", StreamServer.parse("127.0.0.1:0").getHostString());
    assertEquals(5, StreamServer.parse("[::1]:5").getPort());
    assertTrue(StreamServer.parse("[::1]:5").getAddress().isLoopbackAddress());
  }

  private static String assertThrowsMessage(String port) {
    try {
      PortForwardSession.parsePort(port);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted port " + port);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
