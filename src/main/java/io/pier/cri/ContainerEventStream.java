package io.pier.cri;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.pier.container.Container;
import io.pier.container.ContainerChange;
import io.pier.cri.v1.ContainerEventResponse;
import io.pier.cri.v1.ContainerEventType;
import io.pier.sandbox.SandboxManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * GetContainerEvents: every subscriber (kubelet's evented PLEG, {@code crictl events}) gets
 * each container change with the container's and its pod's status at that moment.
 */
@ApplicationScoped
class ContainerEventStream {

  private static final Logger LOG = Logger.getLogger(ContainerEventStream.class);

  private final Set<StreamObserver<ContainerEventResponse>> subscribers =
      ConcurrentHashMap.newKeySet();
  private final ContainerHandler containers;
  private final SandboxManager sandboxes;

  ContainerEventStream(ContainerHandler containers, SandboxManager sandboxes) {
    this.containers = containers;
    this.sandboxes = sandboxes;
  }

  /** Adds a subscriber until it cancels. */
  void subscribe(StreamObserver<ContainerEventResponse> subscriber) {
    if (subscriber instanceof ServerCallStreamObserver<ContainerEventResponse> call) {
      call.setOnCancelHandler(() -> subscribers.remove(subscriber));
    }
    subscribers.add(subscriber);
  }

  void publish(@Observes ContainerChange change) {
    if (subscribers.isEmpty()) {
      return;
    }
    Container container = change.container();
    Instant now = Instant.now();
    ContainerEventResponse.Builder event = ContainerEventResponse.newBuilder()
        .setContainerId(container.id())
        .setContainerEventType(type(change.kind()))
        .setCreatedAt(now.getEpochSecond() * 1_000_000_000L + now.getNano())
        .addContainersStatuses(containers.status(container));
    sandboxes.find(container.sandboxId())
        .ifPresent(s -> event.setPodSandboxStatus(PodSandboxHandler.status(s)));
    ContainerEventResponse message = event.build();
    for (StreamObserver<ContainerEventResponse> subscriber : List.copyOf(subscribers)) {
      try {
        synchronized (subscriber) {
          subscriber.onNext(message);
        }
      } catch (RuntimeException e) {
        LOG.debugf("dropping an event subscriber: %s", e.getMessage());
        subscribers.remove(subscriber);
      }
    }
  }

  private static ContainerEventType type(ContainerChange.Kind kind) {
    return switch (kind) {
      case CREATED -> ContainerEventType.CONTAINER_CREATED_EVENT;
      case STARTED -> ContainerEventType.CONTAINER_STARTED_EVENT;
      case STOPPED -> ContainerEventType.CONTAINER_STOPPED_EVENT;
      case DELETED -> ContainerEventType.CONTAINER_DELETED_EVENT;
    };
  }
}
