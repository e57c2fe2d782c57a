package io.pier.cri;

import io.grpc.stub.StreamObserver;
import io.pier.cri.v1.FilesystemIdentifier;
import io.pier.cri.v1.FilesystemUsage;
import io.pier.cri.v1.ImageFsInfoRequest;
import io.pier.cri.v1.ImageFsInfoResponse;
import io.pier.cri.v1.ImageServiceGrpc;
import io.pier.cri.v1.UInt64Value;
import io.pier.state.DiskUsage;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * The CRI ImageService. RPCs not implemented here answer {@code UNIMPLEMENTED} naming the
 * method.
 */
@ApplicationScoped
public class ImageServiceHandler implements ImageServiceGrpc.AsyncService {

  private final StateDirectories dirs;
  private final Clock clock;

  ImageServiceHandler(StateDirectories dirs) {
    this.dirs = dirs;
    this.clock = Clock.systemUTC();
  }

  @Override
  public void imageFsInfo(ImageFsInfoRequest request,
      StreamObserver<ImageFsInfoResponse> response) {
    Calls.answer(response, () -> ImageFsInfoResponse.newBuilder()
        .addImageFilesystems(usage(dirs.imageStore()))
        .addContainerFilesystems(usage(dirs.containerStore()))
        .build());
  }

  private FilesystemUsage usage(Path dir) {
    DiskUsage used = DiskUsage.of(dir);
    Instant now = clock.instant();
    return FilesystemUsage.newBuilder()
        .setTimestamp(now.getEpochSecond() * 1_000_000_000L + now.getNano())
        .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(dir.toString()))
        .setUsedBytes(UInt64Value.newBuilder().setValue(used.bytes()))
        .setInodesUsed(UInt64Value.newBuilder().setValue(used.inodes()))
        .build();
  }
}
