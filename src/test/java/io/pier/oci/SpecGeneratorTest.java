package io.pier.oci;

import static io.pier.oci.SpecFixture.container;
import static io.pier.oci.SpecFixture.mountAt;
import static io.pier.oci.SpecFixture.namespace;
import static io.pier.oci.SpecFixture.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.Int64Value;
import io.pier.cri.v1.KeyValue;
import io.pier.cri.v1.LinuxContainerConfig;
import io.pier.cri.v1.LinuxContainerSecurityContext;
import io.pier.cri.v1.Mount;
import io.pier.cri.v1.MountPropagation;
import io.pier.cri.v1.SupplementalGroupsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process part of generated specs: arguments, environment, working directory, user. */
class SpecGeneratorTest {

  @TempDir
  Path tmp;

  SpecFixture fx;

  @BeforeEach
  void fixture() throws Exception {
    fx = new SpecFixture(tmp);
  }

  @Test
  void imageEntrypointAndCmdRunWhenTheConfigSaysNothing() {
    fx.image.putArray("Entrypoint").add("/entry").add("-v");
    fx.image.putArray("Cmd").add("serve").add("--port=80");

    assertEquals(List.of("/entry", "-v", "serve", "--port=80"), args(container("web")));
  }

  @Test
  void commandReplacesEntrypointAndDropsCmd() {
    fx.image.putArray("Entrypoint").add("/entry");
    fx.image.putArray("Cmd").add("serve");

    assertEquals(List.of("/bin/echo", "hi"),
        args(container("web").addCommand("/bin/echo").addCommand("hi")));
  }

  @Test
  void argsReplaceCmdAndKeepEntrypoint() {
    fx.image.putArray("Entrypoint").add("/entry");
    fx.image.putArray("Cmd").add("serve");

    assertEquals(List.of("/entry", "check"), args(container("web").addArgs("check")));
  }

  @Test
  void commandAndArgsTogetherIgnoreTheImage() {
    fx.image.putArray("Entrypoint").add("/entry");
    fx.image.putArray("Cmd").add("serve");

    assertEquals(List.of("/bin/sh", "-c", "date"),
        args(container("web").addCommand("/bin/sh").addArgs("-c").addArgs("date")));
  }

  @Test
  void noCommandAnywhereIsRefusedNamingTheContainer() {
    fx.image.remove("Cmd");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fx.generate(container("web")));
    assertTrue(e.getMessage().startsWith("container web: no command"), e.getMessage());
  }

  @Test
  void configEnvOverridesImageEnvAndPathAndHostnameAreDefaulted() {
    fx.image.putArray("Env").add("LANG=C").add("MODE=image");

    List<String> env = texts(fx.generate(container("web")
        .addEnvs(kv("MODE", "config")).addEnvs(kv("EXTRA", "a=b")))
        .path("process").path("env"));

    assertEquals(List.of("LANG=C", "MODE=config", "EXTRA=a=b",
        "PATH=" + SpecGenerator.DEFAULT_PATH, "HOSTNAME=web-pod"), env);
  }

  @Test
  void imagePathIsKept() {
    fx.image.putArray("Env").add("PATH=/opt/bin");

    List<String> env = texts(fx.generate(container("web")).path("process").path("env"));

    assertTrue(env.contains("PATH=/opt/bin"), env.toString());
    assertFalse(env.contains("PATH=" + SpecGenerator.DEFAULT_PATH), env.toString());
  }

  @Test
  void workingDirectoryFromConfigThenImageThenRoot() {
    assertEquals("/", fx.generate(container("web")).path("process").path("cwd").asText());

    fx.image.put("WorkingDir", "/srv");
    assertEquals("/srv", fx.generate(container("web")).path("process").path("cwd").asText());

    assertEquals("/work", fx.generate(container("web").setWorkingDir("/work"))
        .path("process").path("cwd").asText());
  }

  @Test
  void relativeWorkingDirectoryIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fx.generate(container("web").setWorkingDir("work")));
    assertEquals("container web: working directory work is not absolute", e.getMessage());
  }

  @Test
  void ttyGivesATerminal() {
    assertTrue(fx.generate(container("web").setTty(true)).path("process").path("terminal")
        .asBoolean());
    assertFalse(fx.generate(container("web")).path("process").path("terminal").asBoolean());
  }

  @Test
  void rootWithoutUserAnywhere() throws Exception {
    writeUsers();

    JsonNode user = user(container("web"));

    assertEquals(0, user.path("uid").asLong());
    assertEquals(0, user.path("gid").asLong());
    assertEquals(List.of("0", "10"), texts(user.path("additionalGids")));
  }

  @Test
  void imageUserByNameTakesItsGroupAndMemberships() throws Exception {
    writeUsers();
    fx.image.put("User", "www-data");

    JsonNode user = user(container("web"));

    assertEquals(33, user.path("uid").asLong());
    assertEquals(33, user.path("gid").asLong());
    assertEquals(List.of("33", "50000"), texts(user.path("additionalGids")));
  }

  @Test
  void imageUserForms() throws Exception {
    writeUsers();
    fx.image.put("User", "1002");
    assertEquals(List.of(1002L, 0L), uidGid(user(container("web"))));

    fx.image.put("User", "1003:1004");
    assertEquals(List.of(1003L, 1004L), uidGid(user(container("web"))));

    fx.image.put("User", "www-data:1004");
    assertEquals(List.of(33L, 1004L), uidGid(user(container("web"))));

    fx.image.put("User", "1000:staff");
    assertEquals(List.of(1000L, 50L), uidGid(user(container("web"))));

    fx.image.put("User", "1000");
    JsonNode numeric = user(container("web"));
    assertEquals(List.of(1000L, 1000L), uidGid(numeric));
    assertEquals(List.of("1000", "50000"), texts(numeric.path("additionalGids")));
  }

  @Test
  void securityContextUserOverridesImageUser() throws Exception {
    writeUsers();
    fx.image.put("User", "www-data:1004");

    JsonNode byUid = user(withSecurity(LinuxContainerSecurityContext.newBuilder()
        .setRunAsUser(Int64Value.newBuilder().setValue(1000))));
    assertEquals(List.of(1000L, 1000L), uidGid(byUid));

    JsonNode byName = user(withSecurity(LinuxContainerSecurityContext.newBuilder()
        .setRunAsUsername("app")));
    assertEquals(List.of(1000L, 1000L), uidGid(byName));

    JsonNode withGroup = user(withSecurity(LinuxContainerSecurityContext.newBuilder()
        .setRunAsUser(Int64Value.newBuilder().setValue(1000))
        .setRunAsGroup(Int64Value.newBuilder().setValue(2000))
        .addSupplementalGroups(3000)));
    assertEquals(List.of(1000L, 2000L), uidGid(withGroup));
    assertEquals(List.of("2000", "50000", "3000"), texts(withGroup.path("additionalGids")));
  }

  @Test
  void aRecursiveReadOnlyMountGetsRroAndMustBeReadOnlyAndPrivate() throws Exception {
    Path volume = Files.createDirectories(tmp.resolve("volume"));
    Mount rro = Mount.newBuilder().setContainerPath("/mnt").setHostPath(volume.toString())
        .setReadonly(true).setRecursiveReadOnly(true).build();

    JsonNode spec = fx.generate(container("web").addMounts(rro));
    assertEquals(List.of("rbind", "rprivate", "ro", "rro"),
        texts(mountAt(spec, "/mnt").path("options")));

    String slave = assertThrows(IllegalArgumentException.class, () -> fx.generate(
        container("web").addMounts(rro.toBuilder()
            .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER)))).getMessage();
    assertTrue(slave.endsWith("needs private propagation, not PROPAGATION_HOST_TO_CONTAINER"),
        slave);
    String writable = assertThrows(IllegalArgumentException.class, () -> fx.generate(
        container("web").addMounts(rro.toBuilder().setReadonly(false)))).getMessage();
    assertTrue(writable.endsWith("is recursive read-only but not read-only"), writable);
    fx.host = new HostFeatures(false, false, true, 0, fx.host.capabilities(), false);
    String unsupported = assertThrows(IllegalArgumentException.class,
        () -> fx.generate(container("web").addMounts(rro))).getMessage();
    assertTrue(unsupported.contains("(no rro mount option)"), unsupported);
  }

  @Test
  void aGroupWithoutAUserIsRefused() throws Exception {
    writeUsers();
    fx.image.put("User", "www-data");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> user(withSecurity(LinuxContainerSecurityContext.newBuilder()
            .setRunAsGroup(Int64Value.newBuilder().setValue(1002)))));
    assertEquals("container web: run_as_group 1002 is set without run_as_user or "
        + "run_as_username", e.getMessage());
  }

  @Test
  void strictSupplementalGroupsIgnoreTheImagesGroupFile() throws Exception {
    writeUsers();

    JsonNode user = user(withSecurity(LinuxContainerSecurityContext.newBuilder()
        .setRunAsUser(Int64Value.newBuilder().setValue(1000))
        .addSupplementalGroups(3000)
        .setSupplementalGroupsPolicy(SupplementalGroupsPolicy.Strict)));

    assertEquals(List.of("1000", "3000"), texts(user.path("additionalGids")));
  }

  @Test
  void unknownUserNameIsRefusedNamingIt() throws Exception {
    writeUsers();
    fx.image.put("User", "nobody-here");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fx.generate(container("web")));
    assertEquals("container web: user nobody-here is not in the image's /etc/passwd",
        e.getMessage());
  }

  @Test
  void unknownGroupNameIsRefusedNamingIt() throws Exception {
    writeUsers();
    fx.image.put("User", "app:wheel");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fx.generate(container("web")));
    assertEquals("container web: group wheel is not in the image's /etc/group",
        e.getMessage());
  }

  @Test
  void userFilesAreFoundThroughSymlinksInsideTheRootfsOnly() throws Exception {
    // The image links /etc/passwd absolutely: inside the container that is the rootfs's own
    // /data/passwd, never the host's /data/passwd.
    Files.createDirectories(fx.rootfs.resolve("data"));
    Files.writeString(fx.rootfs.resolve("data/passwd"), "linked:x:4242:4343::/:/bin/sh\n");
    Files.createSymbolicLink(fx.rootfs.resolve("etc/passwd"), Path.of("/../../data/passwd"));
    fx.image.put("User", "linked");

    assertEquals(List.of(4242L, 4343L), uidGid(user(container("web"))));
  }

  private void writeUsers() throws Exception {
    Files.writeString(fx.rootfs.resolve("etc/passwd"), """
        root:x:0:0:root:/root:/bin/sh
        www-data:x:33:33:www-data:/var/www:/bin/false
        app:x:1000:1000::/home/app:/bin/sh
        """);
    Files.writeString(fx.rootfs.resolve("etc/group"), """
        root:x:0:
        wheel-not:x:10:root
        staff:x:50:
        www-data:x:33:
        app:x:1000:
        extra:x:50000:app,www-data
        """);
  }

  private ContainerConfig.Builder withSecurity(LinuxContainerSecurityContext.Builder sc) {
    return container("web").setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(sc));
  }

  private List<String> args(ContainerConfig.Builder config) {
    return texts(fx.generate(config).path("process").path("args"));
  }

  private JsonNode user(ContainerConfig.Builder config) {
    return fx.generate(config).path("process").path("user");
  }

  private static List<Long> uidGid(JsonNode user) {
    return List.of(user.path("uid").asLong(), user.path("gid").asLong());
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
  }
}
