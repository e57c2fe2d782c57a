package io.pier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.image.TestRegistries;
import io.pier.system.HostCommand;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming calls through real crictl against the packaged pierd: exec with stdin, a
 * terminal and exit codes over SPDY and WebSocket, attach to a container's own stdio,
 * port-forward to an httpd in a pod, and the errors a client can run into.
 */
class StreamingIT {

  private static final Pattern EXEC_URL = Pattern.compile("Exec URL: (http://\\S+)\"");

  @TempDir
  Path tmp;

  private PodFixture pods;
  /** crictl processes a test started in the background, stopped by the test. */
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void makeFixture() {
    pods = new PodFixture(tmp);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process process : started) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Leftovers.remove(tmp);
  }

  @Test
  void execAndAttachStreamStdioAndReportExitCodes() throws Exception {
    Path home = tmp.resolve("pier");
    try (PierdProcess pierd = pods.pierd(home, "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "shell", 0);
      String ctr = pods.createAndStart(pierd, pod, "sleeper", List.of("sleep", "100000"));

      for (String transport : List.of("spdy", "websocket")) {
        Crictl.Result exec = Crictl.runWithInput(crictl(), pierd.endpoint(), "piped line\n",
            "exec", "-r", transport, "-i", ctr, "sh", "-c",
            "cat; echo out; echo err >&2; exit 3");
        assertEquals("piped line\nout\n", exec.stdout(), transport);
        assertTrue(exec.stderr().startsWith("err\n"), exec.stderr());
        assertTrue(exec.stderr().contains("command terminated with exit code 3"),
            exec.stderr());
        assertNotEquals(0, exec.exitCode());
        Crictl.Result ok = Crictl.run(pierd.endpoint(), "exec", "-r", transport, ctr,
            "cat", "/etc/hostname");
        assertEquals(0, ok.exitCode(), ok.stderr());
        assertEquals("shell\n", ok.stdout());
      }

      // A terminal: script gives crictl one, 30 rows by 100 columns, which reaches the
      // process (after runc's first resize, hence the sleep).
      String command = String.join(" ", Crictl.command(crictl(), pierd.endpoint(), "exec",
          "-it", ctr, "sh", "-c", "'sleep 1; stty size; tty; echo term=$TERM; exit 5'"));
      HostCommand.Result tty = HostCommand.of("script", "-qec",
          "stty rows 30 cols 100; " + command, "/dev/null")
          .timeout(Duration.ofSeconds(60)).run();
      assertTrue(tty.stdout().contains("30 100"), tty.stdout());
      assertTrue(tty.stdout().contains("/dev/pts/"), tty.stdout());
      assertTrue(tty.stdout().contains("term=xterm"), tty.stdout());
      assertTrue(tty.stdout().contains("command terminated with exit code 5"), tty.stdout());

      // Attach: the container's own stdin and stdout, through its monitor.
      assertAttachEchoes(pierd, pod, "shell");

      // The client going away mid-exec ends the process it ran.
      Process vanishing = background(Crictl.command(crictl(), pierd.endpoint(), "exec", "-i",
          ctr, "sleep", "4242"));
      awaitProcess("sleep 4242", true);
      vanishing.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      awaitProcess("sleep 4242", false);
      // Also over WebSocket while megabytes of stdin wait unread, so pierd has paused reading.
      Process flooding = new ProcessBuilder(Crictl.command(crictl(), pierd.endpoint(), "exec",
          "-i", "--transport", "websocket", ctr, "sleep", "4343"))
          .redirectInput(new File("/dev/zero")).start();
      started.add(flooding);
      awaitProcess("sleep 4343", true);
      Thread.sleep(2000);
      flooding.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      awaitProcess("sleep 4343", false);

      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void attachWorksThroughConmonToo() throws Exception {
    Path home = tmp.resolve("conmon");
    try (PierdProcess pierd = pods.pierd(home, "conmon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "attached", 0);
      assertAttachEchoes(pierd, pod, "attached");
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void badRequestsAreRefused() throws Exception {
    Path home = tmp.resolve("pier");
    try (PierdProcess pierd = pods.pierd(home, "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "refusals", 0);
      String ctr = pods.createAndStart(pierd, pod, "sleeper", List.of("sleep", "100000"));

      Crictl.Result unknown = Crictl.run(pierd.endpoint(), "exec", "feedface0123", "true");
      assertTrue(unknown.stderr().contains("NotFound"), unknown.stderr());
      assertTrue(unknown.stderr().contains("feedface0123"), unknown.stderr());
      Crictl.Result unknownAttach = Crictl.run(pierd.endpoint(), "attach", "feedface0123");
      assertTrue(unknownAttach.stderr().contains("NotFound"), unknownAttach.stderr());
      Crictl.Result unknownPod = Crictl.run(pierd.endpoint(), "port-forward", "feedface0123",
          "8080");
      assertTrue(unknownPod.stderr().contains("NotFound"), unknownPod.stderr());

      // A URL serves once: the second use is answered 404.
      Crictl.Result debug = Crictl.run(pierd.endpoint(), "-D", "exec", ctr, "true");
      assertEquals(0, debug.exitCode(), debug.stderr());
      Matcher url = EXEC_URL.matcher(debug.stderr());
      assertTrue(url.find(), debug.stderr());
      HttpResponse<String> reused = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url.group(1))).timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, reused.statusCode(), reused.body());

      assertEquals(0, Crictl.run(pierd.endpoint(), "stop", "-t", "0", ctr).exitCode());
      Crictl.Result stopped = Crictl.run(pierd.endpoint(), "exec", ctr, "true");
      assertTrue(stopped.stderr().contains("FailedPrecondition"), stopped.stderr());
      assertTrue(stopped.stderr().contains(ctr), stopped.stderr());
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  @Test
  void portForwardReachesAnHttpdInThePod() throws Exception {
    Path home = tmp.resolve("pier");
    try (PierdProcess pierd = pods.pierd(home, "piermon").start()) {
      PodFixture.pull(pierd, "busybox");
      String pod = pods.runPod(pierd, "forwarded", 0);
      pods.createAndStart(pierd, pod, "httpd", List.of("sh", "-c",
          "mkdir -p /www && echo served by pier > /www/index.html"
              + " && head -c 3000000 /dev/urandom > /www/big && md5sum /www/big > /www/sum"
              + " && exec httpd -f -p 8080 -h /www"));

      for (String transport : List.of("spdy", "websocket")) {
        int local = TestRegistries.freePort();
        Process forward = background(Crictl.command(crictl(), pierd.endpoint(),
            "port-forward", "-r", transport, pod, local + ":8080"));
        String base = "http://127.0.0.1:" + local;
        String body = "";
        for (int i = 0; i < 50 && !body.contains("served"); i++) {
          body = PodFixture.get(base + "/index.html");
          Thread.sleep(200);
        }
        assertEquals("served by pier", body.strip(), transport);
        Path big = tmp.resolve("big-" + transport);
        HostCommand.Result curl = HostCommand.of("curl", "-sSf", "-o", big.toString(),
            base + "/big").run();
        assertTrue(curl.succeeded(), curl.explanation());
        String sum = PodFixture.get(base + "/sum").split(" ")[0];
        String got = HostCommand.of("md5sum", big.toString()).run().stdout().split(" ")[0];
        assertEquals(sum, got, transport);
        assertEquals(3_000_000, Files.size(big));
        forward.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }

      // Nothing listens on 9999: the client is told so on the error stream.
      int local = TestRegistries.freePort();
      Process refused = background(Crictl.command(crictl(), pierd.endpoint(),
          "port-forward", pod, local + ":9999"));
      Thread.sleep(1500);
      HostCommand.of("curl", "-s", "-m", "5", "http://127.0.0.1:" + local + "/").run();
      assertTrue(refused.waitFor(20, TimeUnit.SECONDS));
      String said = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(said.contains("Connection refused"), said);
      assertEquals(0, Crictl.run(pierd.endpoint(), "rmp", "-f", pod).exitCode());
    }
    PodFixture.assertNothingLeft(home);
  }

  /** A container reading stdin echoes what crictl attach -i sends it. */
  private void assertAttachEchoes(PierdProcess pierd, String pod, String podName)
      throws Exception {
    Path config = pods.containerConfig("reader", List.of("sh", "-c",
        "while read l; do echo got:$l; done"));
    Files.writeString(config, Files.readString(config).replace("\"labels\"",
        "\"stdin\": true, \"labels\""));
    Crictl.Result created = Crictl.run(pierd.endpoint(), "create", pod, config.toString(),
        pods.podConfig(podName).toString());
    assertEquals(0, created.exitCode(), created.stderr());
    String reader = created.stdout().strip();
    assertEquals(0, Crictl.run(pierd.endpoint(), "start", reader).exitCode());
    Process attach = background(Crictl.command(crictl(), pierd.endpoint(), "attach", "-i",
        reader));
    try (BufferedReader out = attach.inputReader()) {
      // crictl holds the line until the attach is in place; the echo shows it arrived.
      OutputStream in = attach.getOutputStream();
      in.write("hello\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertEquals("got:hello", assertTimeoutPreemptively(Duration.ofSeconds(30),
          out::readLine));
    }
  }

  private static String crictl() {
    return Crictl.binary("CRICTL", "crictl");
  }

  private Process background(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).start();
    started.add(process);
    return process;
  }

  /** Waits until a process whose command line is {@code args} exists, or no longer does. */
  private static void awaitProcess(String args, boolean present) throws Exception {
    boolean found = !present;
    for (int i = 0; i < 100 && found != present; i++) {
      Thread.sleep(100);
      found = HostCommand.of("ps", "-eo", "args").run().stdout().lines()
          .anyMatch(l -> l.equals(args));
    }
    assertEquals(present, found, "process \"" + args + "\" " + (present ? "missing" : "left"));
  }
}
