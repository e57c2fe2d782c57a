package io.pier.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pier.monitor.cli.CommandLine.Kind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The flag forms glib accepts, which callers of conmon use. */
class CommandLineTest {
  private static final CommandLine FLAGS = new CommandLine()
      .flag("cid", 'c', Kind.TEXT, "")
      .flag("terminal", 't', Kind.SWITCH, "")
      .flag("stdin", 'i', Kind.SWITCH, "")
      .flag("api-version", (char) 0, Kind.SWITCH, "")
      .flag("exit-command-arg", (char) 0, Kind.LIST, "")
      .flag("log-size-max", (char) 0, Kind.LONG, "")
      .flag("persist-dir", '0', Kind.TEXT, "");

  @Test
  void longAndShortForms() throws Exception {
    CommandLine.Parsed p = FLAGS.parse(new String[] {"--cid=a", "-ti", "-0", "/p",
        "--log-size-max", "100"});
    assertEquals(Optional.of("a"), p.text("cid"));
    assertTrue(p.on("terminal") && p.on("stdin"));
    assertEquals(Optional.of("/p"), p.text("persist-dir"));
    assertEquals(100, p.number("log-size-max", -1));
  }

  @Test
  void shortValueAttached() throws Exception {
    assertEquals(Optional.of("abc"), FLAGS.parse(new String[] {"-cabc"}).text("cid"));
  }

  @Test
  void listValuesMayLookLikeFlags() throws Exception {
    CommandLine.Parsed p = FLAGS.parse(new String[] {"--exit-command-arg", "--root",
        "--exit-command-arg", "/var/lib"});
    assertEquals(List.of("--root", "/var/lib"), p.list("exit-command-arg"));
  }

  @Test
  void bareApiVersionLeavesItsValueBehind() throws Exception {
    CommandLine.Parsed p = FLAGS.parse(new String[] {"--api-version", "1", "-c", "x"});
    assertTrue(p.on("api-version"));
    assertEquals(List.of("1"), p.leftovers());
    assertEquals(Optional.of("x"), p.text("cid"));
  }

  @Test
  void refusals() {
    assertThrows(CommandLine.UsageException.class, () -> FLAGS.parse(new String[] {"--nope"}));
    assertThrows(CommandLine.UsageException.class, () -> FLAGS.parse(new String[] {"-c"}));
    assertThrows(CommandLine.UsageException.class,
        () -> FLAGS.parse(new String[] {"--log-size-max", "big"}));
    assertThrows(CommandLine.UsageException.class,
        () -> FLAGS.parse(new String[] {"--terminal=yes"}));
  }
}
