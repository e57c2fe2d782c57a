package io.pier.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pier.cri.v1.AuthConfig;
import io.pier.cri.v1.FilesystemIdentifier;
import io.pier.cri.v1.FilesystemUsage;
import io.pier.cri.v1.Image;
import io.pier.cri.v1.ImageFsInfoRequest;
import io.pier.cri.v1.ImageFsInfoResponse;
import io.pier.cri.v1.ImageServiceGrpc;
import io.pier.cri.v1.ImageSpec;
import io.pier.cri.v1.ImageStatusRequest;
import io.pier.cri.v1.ImageStatusResponse;
import io.pier.cri.v1.Int64Value;
import io.pier.cri.v1.ListImagesRequest;
import io.pier.cri.v1.ListImagesResponse;
import io.pier.cri.v1.PullImageRequest;
import io.pier.cri.v1.PullImageResponse;
import io.pier.cri.v1.RemoveImageRequest;
import io.pier.cri.v1.RemoveImageResponse;
import io.pier.cri.v1.UInt64Value;
import io.pier.image.BlobVerificationException;
import io.pier.image.ImageException;
import io.pier.image.ImageNotFoundException;
import io.pier.image.ImageRecord;
import io.pier.image.ImageService;
import io.pier.image.InvalidReferenceException;
import io.pier.image.RegistryAuthException;
import io.pier.image.RegistryCredentials;
import io.pier.image.RegistryUnavailableException;
import io.pier.image.UnsafeLayerException;
import io.pier.state.DiskUsage;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The CRI ImageService: thin handlers over {@link ImageService}, mapping image failures to
 * gRPC statuses that name the image.
 */
@ApplicationScoped
public class ImageServiceHandler implements ImageServiceGrpc.AsyncService {

  private static final Logger LOG = Logger.getLogger(ImageServiceHandler.class);

  private final StateDirectories dirs;
  private final ImageService images;
  private final ObjectMapper json;
  private final Clock clock;

  ImageServiceHandler(StateDirectories dirs, ImageService images, ObjectMapper json) {
    this.dirs = dirs;
    this.images = images;
    this.json = json;
    this.clock = Clock.systemUTC();
  }

  @Override
  public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> response) {
    String image = request.getImage().getImage();
    Calls.answer(response, () -> mapped("pulling image " + image, () -> {
      LOG.debugf("PullImage %s", image);
      AuthConfig auth = request.getAuth();
      RegistryCredentials credentials = RegistryCredentials.of(auth.getUsername(),
          auth.getPassword(), auth.getAuth(), auth.getIdentityToken(), auth.getRegistryToken());
      ImageRecord pulled = images.pull(image, credentials);
      return PullImageResponse.newBuilder().setImageRef(pulled.id()).build();
    }));
  }

  @Override
  public void imageStatus(ImageStatusRequest request,
      StreamObserver<ImageStatusResponse> response) {
    Calls.answer(response, () -> mapped(() -> {
      Optional<ImageRecord> found = images.find(request.getImage().getImage());
      // CRI: an unknown image is an empty answer, not an error.
      if (found.isEmpty()) {
        return ImageStatusResponse.getDefaultInstance();
      }
      ImageStatusResponse.Builder answer = ImageStatusResponse.newBuilder()
          .setImage(toCri(found.get()));
      if (request.getVerbose()) {
        answer.putInfo("info", verboseInfo(found.get()));
      }
      return answer.build();
    }));
  }

  @Override
  public void listImages(ListImagesRequest request,
      StreamObserver<ListImagesResponse> response) {
    Calls.answer(response, () -> mapped(() -> {
      Optional<String> filter = request.hasFilter() && request.getFilter().hasImage()
          ? Optional.of(request.getFilter().getImage().getImage()) : Optional.empty();
      ListImagesResponse.Builder answer = ListImagesResponse.newBuilder();
      images.list(filter).forEach(r -> answer.addImages(toCri(r)));
      return answer.build();
    }));
  }

  @Override
  public void removeImage(RemoveImageRequest request,
      StreamObserver<RemoveImageResponse> response) {
    Calls.answer(response, () -> mapped(() -> {
      images.remove(request.getImage().getImage());
      return RemoveImageResponse.getDefaultInstance();
    }));
  }

  @Override
  public void imageFsInfo(ImageFsInfoRequest request,
      StreamObserver<ImageFsInfoResponse> response) {
    Calls.answer(response, () -> ImageFsInfoResponse.newBuilder()
        .addImageFilesystems(usage(dirs.imageStore()))
        .addContainerFilesystems(usage(dirs.containerStore()))
        .build());
  }

  private Image toCri(ImageRecord r) {
    Image.Builder image = Image.newBuilder()
        .setId(r.id())
        .addAllRepoTags(r.repoTags())
        .addAllRepoDigests(r.repoDigests())
        .setSize(r.size())
        .setSpec(ImageSpec.newBuilder().setImage(r.id()))
        .setPinned(images.isPinned(r));
    String user = r.user().split(":", 2)[0];
    if (user.matches("[0-9]+")) {
      image.setUid(Int64Value.newBuilder().setValue(Long.parseLong(user)));
    } else if (!user.isEmpty()) {
      image.setUsername(user);
    }
    return image.build();
  }

  private String verboseInfo(ImageRecord r) {
    ObjectNode info = json.createObjectNode();
    info.put("imageId", r.id());
    info.putPOJO("repoTags", r.repoTags());
    info.putPOJO("repoDigests", r.repoDigests());
    info.putPOJO("manifestDigests", r.manifestDigests());
    info.putPOJO("layers", r.layerDigests());
    info.putPOJO("chainIds", r.chainIds());
    info.put("pulledAt", Instant.ofEpochMilli(r.pulledAt()).toString());
    Optional<JsonNode> config = images.config(r);
    config.ifPresent(c -> info.set("imageSpec", c));
    try {
      return json.writeValueAsString(info);
    } catch (IOException e) {
      throw new ImageException("describing image " + r.id() + ": " + e.getMessage(), e);
    }
  }

  /** Runs image work, turning its failures into statuses kubelet can act on. */
  private static <T> T mapped(Supplier<T> work) {
    return mapped("", work);
  }

  /** As {@link #mapped(Supplier)}, with what was being done in front of each message. */
  private static <T> T mapped(String doing, Supplier<T> work) {
    try {
      return work.get();
    } catch (ImageNotFoundException e) {
      throw status(Status.NOT_FOUND, doing, e);
    } catch (RegistryAuthException e) {
      throw status(Status.UNAUTHENTICATED, doing, e);
    } catch (RegistryUnavailableException e) {
      throw status(Status.UNAVAILABLE, doing, e);
    } catch (InvalidReferenceException | UnsafeLayerException e) {
      throw status(Status.INVALID_ARGUMENT, doing, e);
    } catch (BlobVerificationException e) {
      throw status(Status.DATA_LOSS, doing, e);
    } catch (ImageException e) {
      // The JDK reports ENOSPC only through the message of its IOException.
      boolean diskFull = String.valueOf(e.getMessage()).contains("No space left on device");
      throw status(diskFull ? Status.RESOURCE_EXHAUSTED : Status.INTERNAL, doing, e);
    }
  }

  private static StatusRuntimeException status(Status status, String doing, ImageException e) {
    String message = doing.isEmpty() ? e.getMessage() : doing + ": " + e.getMessage();
    return status.withDescription(message).asRuntimeException();
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
