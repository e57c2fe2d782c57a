package io.pier.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pier.BuildInfo;
import io.pier.config.PierConfig;
import io.pier.cri.v1.CgroupDriver;
import io.pier.cri.v1.CheckpointContainerRequest;
import io.pier.cri.v1.ImageFsInfoRequest;
import io.pier.cri.v1.ImageFsInfoResponse;
import io.pier.cri.v1.NetworkConfig;
import io.pier.cri.v1.RuntimeCondition;
import io.pier.cri.v1.RuntimeConfig;
import io.pier.cri.v1.RuntimeConfigRequest;
import io.pier.cri.v1.StatusRequest;
import io.pier.cri.v1.StatusResponse;
import io.pier.cri.v1.UpdateRuntimeConfigRequest;
import io.pier.cri.v1.VersionRequest;
import io.pier.cri.v1.VersionResponse;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CRI over the real unix socket pierd serves, with grpc-java's client. */
@QuarkusTest
class CriSocketTest {

  @Inject
  PierConfig config;

  @Inject
  ObjectMapper json;

  private Path socket;
  private CriClient client;

  @BeforeEach
  void connect() {
    socket = config.socket().toAbsolutePath();
    client = new CriClient(socket);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    client.close();
  }

  @Test
  void socketIsPrivateToRootAndItsGroup() throws Exception {
    assertEquals("rw-rw----",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
  }

  @Test
  void versionNamesPier() {
    VersionResponse version = client.runtime().version(VersionRequest.getDefaultInstance());

    assertEquals("pier", version.getRuntimeName());
    assertEquals("v1", version.getRuntimeApiVersion());
    assertEquals(BuildInfo.version(), version.getRuntimeVersion());
    assertEquals("0.1.0", version.getVersion());
  }

  @Test
  void versionAnswersClientsSendingTheSocketPathAsAuthority() {
    VersionResponse version = client.runtimeWithAuthority(socket.toString())
        .version(VersionRequest.getDefaultInstance());

    assertEquals("pier", version.getRuntimeName());
  }

  @Test
  void statusReportsRuntimeAndNetworkReady() throws Exception {
    StatusResponse status = client.runtime().status(
        StatusRequest.newBuilder().setVerbose(true).build());

    Map<String, RuntimeCondition> conditions = status.getStatus().getConditionsList().stream()
        .collect(Collectors.toMap(RuntimeCondition::getType, c -> c));
    assertTrue(conditions.get("RuntimeReady").getStatus(), conditions.toString());
    assertTrue(conditions.get("NetworkReady").getStatus(), conditions.toString());
    assertTrue(status.getFeatures().getSupplementalGroupsPolicy());
    // Debian's runc (1.1) lists the rro mount option in `runc features`.
    assertEquals("", status.getRuntimeHandlers(0).getName());
    assertTrue(status.getRuntimeHandlers(0).getFeatures().getRecursiveReadOnlyMounts());
    JsonNode info = json.readTree(status.getInfoOrThrow("config"));
    assertEquals(socket.toString(), info.get("socket").asText());
    assertEquals("pier", json.readTree(
        Files.readString(Path.of(info.get("cniNetwork").asText()))).get("name").asText());
  }

  @Test
  void statusWithoutVerboseCarriesNoInfo() {
    StatusResponse status = client.runtime().status(StatusRequest.getDefaultInstance());

    assertTrue(status.getInfoMap().isEmpty());
  }

  @Test
  void runtimeConfigReportsTheDetectedCgroupDriver() throws Exception {
    boolean systemd = Files.readString(Path.of("/proc/1/comm")).strip().equals("systemd");

    CgroupDriver driver = client.runtime().runtimeConfig(RuntimeConfigRequest.getDefaultInstance())
        .getLinux().getCgroupDriver();

    assertEquals(systemd ? CgroupDriver.SYSTEMD : CgroupDriver.CGROUPFS, driver);
  }

  @Test
  void updateRuntimeConfigKeepsThePodCidr() throws Exception {
    client.runtime().updateRuntimeConfig(UpdateRuntimeConfigRequest.newBuilder()
        .setRuntimeConfig(RuntimeConfig.newBuilder()
            .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr("10.85.0.0/16")))
        .build());

    StatusResponse status = client.runtime().status(
        StatusRequest.newBuilder().setVerbose(true).build());
    assertEquals("10.85.0.0/16",
        json.readTree(status.getInfoOrThrow("config")).get("podCidr").asText());
    assertEquals("10.85.0.0/16",
        Files.readString(config.runRoot().toAbsolutePath().resolve("pod-cidr")));
  }

  @Test
  void updateRuntimeConfigRefusesAValueThatIsNoCidr() {
    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> client.runtime().updateRuntimeConfig(
            UpdateRuntimeConfigRequest.newBuilder()
                .setRuntimeConfig(RuntimeConfig.newBuilder()
                    .setNetworkConfig(NetworkConfig.newBuilder().setPodCidr("10.244.0.0/33")))
                .build()));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("10.244.0.0/33"));
  }

  @Test
  void imageFsInfoReportsImageAndContainerStorage() throws Exception {
    Path images = config.root().toAbsolutePath().resolve("images");
    Files.createDirectories(images);
    Files.write(images.resolve("probe"), new byte[4096]);

    ImageFsInfoResponse info = client.images().imageFsInfo(ImageFsInfoRequest.getDefaultInstance());

    assertEquals(images.toString(), info.getImageFilesystems(0).getFsId().getMountpoint());
    assertTrue(info.getImageFilesystems(0).getUsedBytes().getValue() >= 4096);
    assertTrue(info.getImageFilesystems(0).getInodesUsed().getValue() >= 2);
    assertTrue(info.getImageFilesystems(0).getTimestamp() > 0);
    assertFalse(info.getContainerFilesystemsList().isEmpty());
    Files.delete(images.resolve("probe"));
  }

  @Test
  void rpcsOfLaterCapabilitiesAnswerUnimplementedByName() {
    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> client.runtime().checkpointContainer(
            CheckpointContainerRequest.newBuilder().setContainerId("c1").build()));

    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("CheckpointContainer"),
        e.getStatus().getDescription());
  }
}
