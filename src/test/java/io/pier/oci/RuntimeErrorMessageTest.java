package io.pier.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RuntimeErrorMessageTest {

  @Test
  void theErrorLineWinsOverWarningsBeforeIt() {
    String log = """
        time="2026-12-04T06:20:01Z" level=warning msg="cannot toggle freezer: cgroups not \
        configured for container"
        time="2026-12-04T06:20:01Z" level=warning msg="lstat : no such file or directory"
        time="2026-12-04T06:20:01Z" level=error msg="runc create failed: unable to start \
        container process: exec: \\"/no/such/binary\\": stat /no/such/binary: no such file \
        or directory"
        """;

    assertEquals("runc create failed: unable to start container process: exec: "
        + "\"/no/such/binary\": stat /no/such/binary: no such file or directory",
        RuntimeClient.errorMessage(log));
  }

  @Test
  void withoutAnErrorLineTheLastMessageIsTaken() {
    assertEquals("second", RuntimeClient.errorMessage(
        "level=info msg=\"first\"\nlevel=info msg=\"second\"\n"));
  }

  @Test
  void plainTextIsKeptOnOneLine() {
    assertEquals("exec failed; no such file", RuntimeClient.errorMessage(
        "exec failed\n  no such file\n"));
  }
}
