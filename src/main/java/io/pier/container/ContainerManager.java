package io.pier.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pier.AlreadyExistsException;
import io.pier.FailedPreconditionException;
import io.pier.NotFoundException;
import io.pier.cgroup.Cgroups;
import io.pier.cri.v1.ContainerConfig;
import io.pier.cri.v1.LinuxContainerResources;
import io.pier.cri.v1.PodSandboxConfig;
import io.pier.cri.v1.Signal;
import io.pier.exit.ContainerExit;
import io.pier.exit.ExitWatcher;
import io.pier.image.ContainerRootfs;
import io.pier.image.ImageRecord;
import io.pier.image.ImageService;
import io.pier.monitor.ExecResult;
import io.pier.monitor.MonitorLauncher;
import io.pier.monitor.MonitorRequest;
import io.pier.monitor.MonitorStart;
import io.pier.oci.RuntimeClient;
import io.pier.oci.RuntimeState;
import io.pier.oci.SpecGenerator;
import io.pier.oci.SpecInput;
import io.pier.sandbox.Sandbox;
import io.pier.sandbox.SandboxManager;
import io.pier.state.IdLookup;
import io.pier.state.RecordStore;
import io.pier.state.StateDirectories;
import io.pier.state.Trees;
import io.pier.system.Processes;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Containers from create to remove: root filesystem, OCI bundle and monitor on create, the
 * runtime's start and kill, exits from the exit watcher, and every change written to disk so
 * a restarted pierd picks each container up where it was.
 */
@ApplicationScoped
public class ContainerManager {

  private static final Logger LOG = Logger.getLogger(ContainerManager.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a container gets to die after SIGKILL before stop gives up. */
  private static final long KILL_GRACE_SECONDS = 30;
  /** How long a monitor may take to create the log file again after a reopen request. */
  private static final long LOG_REOPEN_SECONDS = 5;

  private final SandboxManager sandboxes;
  private final ImageService images;
  private final ContainerRootfs rootfs;
  private final SpecGenerator specs;
  private final Cgroups cgroups;
  private final MonitorLauncher monitors;
  private final RuntimeClient runtime;
  private final ExitWatcher exitWatcher;
  private final Event<ContainerChange> changes;
  private final ObjectMapper json;
  private final RecordStore<Container> store;
  private final Path containerDirs;
  private final Path execDirs;
  private final Map<String, Container> containers = new ConcurrentHashMap<>();
  private final Map<String, String> reservedNames = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Container>> exits = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  ContainerManager(SandboxManager sandboxes, ImageService images, ContainerRootfs rootfs,
      SpecGenerator specs, Cgroups cgroups, MonitorLauncher monitors, RuntimeClient runtime,
      ExitWatcher exitWatcher, Event<ContainerChange> changes, StateDirectories dirs,
      ObjectMapper json) {
    this.sandboxes = sandboxes;
    this.images = images;
    this.rootfs = rootfs;
    this.specs = specs;
    this.cgroups = cgroups;
    this.monitors = monitors;
    this.runtime = runtime;
    this.exitWatcher = exitWatcher;
    this.changes = changes;
    this.json = json;
    this.store = new RecordStore<>(dirs.root().resolve("container-records"), Container.class,
        json);
    this.containerDirs = dirs.containerStore();
    this.execDirs = dirs.runRoot().resolve("exec");
    for (Container container : store.loadAll()) {
      containers.put(container.id(), container);
      reservedNames.put(reservedName(container), container.id());
    }
  }

  /**
   * Picks up containers that lived through a pierd restart: exits written while pierd was
   * down come through the exit watcher's first scan; containers the runtime lost since are
   * marked exited. When the runtime cannot be asked, records stay as they are. Runs before
   * the CRI socket serves.
   */
  void recover(@Observes @Priority(5) StartupEvent event) {
    exitWatcher.start();
    Optional<String> runtimeProblem = runtime.problem();
    int running = 0;
    int unchecked = 0;
    for (Container container : List.copyOf(containers.values())) {
      if (container.state() == Container.State.EXITED) {
        continue;
      }
      Optional<ContainerExit> exit = exitWatcher.exitOf(container.id());
      if (exit.isPresent()) {
        onExit(exit.get());
        continue;
      }
      if (runtimeProblem.isPresent()) {
        unchecked++;
        continue;
      }
      Optional<RuntimeState> state;
      try {
        state = runtime.state(container.id());
      } catch (RuntimeException e) {
        LOG.warnf("container %s: cannot ask the runtime for its state, leaving it as"
            + " recorded: %s", container.id(), e.getMessage());
        unchecked++;
        continue;
      }
      if (state.isEmpty() || state.get().status() == RuntimeState.Status.STOPPED) {
        String why = state.isEmpty() ? "the runtime no longer knows it"
            : "it stopped and its monitor left no exit file";
        LOG.warnf("container %s: %s; marking it exited", container.id(), why);
        recordExit(container, Instant.now(), 255, "Error", why);
      } else {
        running++;
      }
    }
    if (runtimeProblem.isPresent() && unchecked > 0) {
      LOG.warnf("%d containers left as recorded, unchecked: %s", unchecked,
          runtimeProblem.get());
    }
    if (!containers.isEmpty()) {
      LOG.infof("recovered %d containers, %d of them running, %d unchecked",
          containers.size(), running, unchecked);
    }
  }

  /** Creates a container in a ready pod: root filesystem, bundle, and its monitor. */
  public Container create(String sandboxId, ContainerConfig config,
      PodSandboxConfig sandboxConfig) {
    Sandbox sandbox = sandboxes.get(sandboxId);
    if (sandbox.state() != Sandbox.State.READY) {
      throw new FailedPreconditionException("pod sandbox " + sandbox.id()
          + " is not ready; containers can only be created in a ready pod");
    }
    validate(config);
    String id = HexFormat.of().formatHex(randomBytes());
    String name = reservedName(sandbox, config);
    String holder = reservedNames.putIfAbsent(name, id);
    if (holder != null) {
      throw new AlreadyExistsException("container name " + name + " is reserved by " + holder);
    }
    String imageName = config.getImage().getImage();
    Path dir = containerDirs.resolve(id);
    Path bundle = dir.resolve("userdata");
    boolean created = false;
    try {
      ImageRecord image = images.find(imageName).orElseThrow(() -> new NotFoundException(
          "image " + imageName + " not found; pull it first"));
      JsonNode imageConfig = images.config(image).map(c -> c.path("config"))
          .orElseGet(json::createObjectNode);
      Files.createDirectories(bundle);
      ContainerRootfs.Mount mount = rootfs.mount(id, image.id());
      String cgroupsPath = cgroups.containerCgroupsPath(sandbox.spec().cgroupParent(), id);
      ObjectNode spec = specs.generate(new SpecInput(id, config, sandboxConfig, sandbox,
          imageConfig, mount.rootfs(), cgroupsPath, sandboxes.sharedPidNamespace(sandbox),
          Optional.empty()));
      Files.write(bundle.resolve("config.json"), json.writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(spec));
      String logPath = logPath(sandbox, config);
      MonitorStart started = monitors.create(new MonitorRequest(id, config.getMetadata()
          .getName(), bundle, Path.of(logPath.isEmpty() ? "/dev/null" : logPath), bundle,
          config.getTty(), config.getStdin(), config.getStdinOnce(), -1));
      created = true;
      Container container = new Container(id, sandbox.id(), config.toByteArray(), image.id(),
          imageRef(image), logPath, bundle, cgroupsPath,
          stopSignal(config, imageConfig), Container.State.CREATED,
          nowNanos(), 0, 0, 0, "", "", started.containerPid(), started.monitorPid());
      store.save(id, container);
      containers.put(id, container);
      LOG.infof("container %s (%s in pod %s) created from %s, pid %d under monitor %d", id,
          container.name(), sandbox.id(), imageName, started.containerPid(),
          started.monitorPid());
      changes.fire(new ContainerChange(container, ContainerChange.Kind.CREATED));
      return container;
    } catch (IOException | RuntimeException e) {
      LOG.warnf("container %s (%s in pod %s) not created: %s", id,
          config.getMetadata().getName(), sandbox.id(), e.getMessage());
      undoCreate(id, dir, created);
      reservedNames.remove(name, id);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("creating container " + id, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** Starts a created container's process. */
  public Container start(String idOrPrefix) {
    Container container = get(idOrPrefix);
    synchronized (lockOf(container.id())) {
      container = get(container.id());
      if (container.state() != Container.State.CREATED) {
        throw new FailedPreconditionException("container " + container.id() + " is "
            + container.state().name().toLowerCase() + "; only a created container starts");
      }
      try {
        runtime.start(container.id());
      } catch (RuntimeException e) {
        recordExit(container, Instant.now(), 128, "StartError", e.getMessage());
        throw e;
      }
      // The exit may already have been recorded if the process ended at once.
      Container now = get(container.id());
      Container started = now.state() == Container.State.EXITED
          ? now.withStartedAt(nowNanos()) : now.started(nowNanos());
      save(started);
      LOG.infof("container %s (%s) started", started.id(), started.name());
      changes.fire(new ContainerChange(started, ContainerChange.Kind.STARTED));
      return started;
    }
  }

  /**
   * Stops a container: its stop signal, then SIGKILL after {@code timeoutSeconds}. Stopping
   * a container that is not running is not an error.
   */
  public Container stop(String idOrPrefix, long timeoutSeconds) {
    Container container = get(idOrPrefix);
    if (container.state() == Container.State.EXITED) {
      return container;
    }
    CompletableFuture<Container> exited = exitFuture(container.id());
    if (get(container.id()).state() == Container.State.EXITED) {
      return get(container.id());
    }
    String signal = container.state() == Container.State.RUNNING && timeoutSeconds > 0
        ? container.stopSignal().replaceFirst("^SIG", "") : "KILL";
    if (signal.equals("KILL")) {
      LOG.infof("container %s (%s): stopping with SIGKILL", container.id(), container.name());
    } else {
      LOG.infof("container %s (%s): stopping with SIG%s, SIGKILL after %ds", container.id(),
          container.name(), signal, timeoutSeconds);
      killQuietly(container.id(), signal);
      Optional<Container> done = awaitExit(container, exited, timeoutSeconds);
      if (done.isPresent()) {
        return done.get();
      }
      LOG.infof("container %s still running after %ds; sending SIGKILL", container.id(),
          timeoutSeconds);
    }
    killQuietly(container.id(), "KILL");
    return awaitExit(container, exited, KILL_GRACE_SECONDS).orElseThrow(() ->
        new IllegalStateException("container " + container.id() + " did not exit "
            + KILL_GRACE_SECONDS + "s after SIGKILL"));
  }

  /** Removes a container, killing it first; a container that does not exist is no error. */
  public void remove(String idOrPrefix) {
    Optional<Container> found = find(idOrPrefix);
    if (found.isEmpty()) {
      return;
    }
    Container container = found.get();
    if (container.state() != Container.State.EXITED) {
      container = stop(container.id(), 0);
    }
    synchronized (lockOf(container.id())) {
      runtime.delete(container.id());
      rootfs.remove(container.id());
      Trees.delete(containerDirs.resolve(container.id()));
      Trees.delete(monitors.attachDir().resolve(container.id()));
      exitWatcher.forget(container.id());
      store.delete(container.id());
      containers.remove(container.id());
      reservedNames.remove(reservedName(container), container.id());
      exits.remove(container.id());
    }
    locks.remove(container.id());
    LOG.infof("container %s (%s) removed", container.id(), container.name());
    changes.fire(new ContainerChange(container, ContainerChange.Kind.DELETED));
  }

  /** Stops every container of a pod, each with {@code timeoutSeconds} of grace. */
  public void stopPodContainers(String sandboxId, long timeoutSeconds) {
    ofPod(sandboxId).parallelStream().forEach(c -> stop(c.id(), timeoutSeconds));
  }

  /** Removes every container of a pod. */
  public void removePodContainers(String sandboxId) {
    ofPod(sandboxId).forEach(c -> remove(c.id()));
  }

  /** Runs {@code command} in a running container and waits for it, at most the timeout. */
  public ExecResult execSync(String idOrPrefix, List<String> command, int timeoutSeconds) {
    ExecPlan plan = prepareExec(idOrPrefix, command, false);
    try {
      LOG.debugf("container %s: exec %s", plan.container().id(), command);
      return monitors.exec(plan.container().id(), plan.processSpec(), plan.directory(),
          timeoutSeconds);
    } finally {
      Trees.delete(plan.directory());
    }
  }

  /**
   * Checks that {@code command} can run in the container now and writes its OCI process spec
   * (the container's own process with these arguments) to a new directory; the caller
   * removes the directory when the process has ended.
   */
  public ExecPlan prepareExec(String idOrPrefix, List<String> command, boolean terminal) {
    Container container = running(idOrPrefix, "exec");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("exec in container " + container.id()
          + ": the command is empty");
    }
    Path dir = execDirs.resolve(container.id() + "-" + HexFormat.of().formatHex(
        randomBytes(), 0, 6));
    try {
      Files.createDirectories(dir);
      Path processSpec = dir.resolve("process.json");
      JsonNode config = json.readTree(container.bundle().resolve("config.json").toFile());
      ObjectNode process = ((ObjectNode) config.path("process")).deepCopy();
      process.set("args", json.valueToTree(command));
      process.put("terminal", terminal);
      boolean hasTerm = false;
      for (JsonNode variable : process.path("env")) {
        hasTerm |= variable.asText().startsWith("TERM=");
      }
      if (terminal && !hasTerm) {
        // As containerd and cri-o do: full-screen programs need to know the terminal.
        process.withArray("env").add("TERM=xterm");
      }
      Files.write(processSpec, json.writeValueAsBytes(process));
      return new ExecPlan(container, dir, processSpec);
    } catch (IOException e) {
      Trees.delete(dir);
      throw new UncheckedIOException("exec in container " + container.id(), e);
    }
  }

  /**
   * The container with this ID or prefix when it is running; NOT_FOUND or
   * FAILED_PRECONDITION naming it otherwise.
   */
  public Container running(String idOrPrefix, String purpose) {
    Container container = get(idOrPrefix);
    if (container.state() != Container.State.RUNNING) {
      throw new FailedPreconditionException("container " + container.id() + " is "
          + container.state().name().toLowerCase() + "; " + purpose
          + " needs a running container");
    }
    return container;
  }

  /** Asks the container's monitor to reopen its log file (after kubelet rotated it). */
  public void reopenLog(String idOrPrefix) {
    Container container = get(idOrPrefix);
    if (container.state() != Container.State.RUNNING) {
      throw new FailedPreconditionException("container " + container.id() + " is not running;"
          + " only a running container's log can be reopened");
    }
    Path ctl = container.bundle().resolve("ctl");
    // Opening a FIFO for writing blocks until the monitor reads it; it always has it open.
    try (var out = Files.newOutputStream(ctl)) {
      out.write("2 0 0\n".getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("reopening the log of container " + container.id(), e);
    }
    if (!container.logPath().isEmpty()) {
      awaitLogFile(container, Path.of(container.logPath()));
    }
    LOG.infof("container %s: log %s reopened", container.id(), container.logPath());
  }

  /**
   * Waits until the monitor has created the log file again: kubelet renames the log, then
   * expects the file back at its path when the call returns.
   */
  private static void awaitLogFile(Container container, Path log) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOG_REOPEN_SECONDS);
    while (!Files.exists(log)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("container " + container.id() + ": its monitor did"
            + " not reopen " + log + " within " + LOG_REOPEN_SECONDS + "s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("container " + container.id()
            + ": interrupted while its log was reopened", e);
      }
    }
  }

  /**
   * Applies new CPU and memory limits to a created or running container and records them,
   * so its status reports what is in force.
   */
  public void updateResources(String idOrPrefix, LinuxContainerResources resources) {
    Container container = get(idOrPrefix);
    synchronized (lockOf(container.id())) {
      container = get(container.id());
      if (container.state() == Container.State.EXITED) {
        throw new FailedPreconditionException("container " + container.id()
            + " has exited; its resources cannot change");
      }
      JsonNode update = specs.resourceUpdate(resources);
      runtime.update(container.id(), update.toString());
      save(container.withResources(resources));
      LOG.infof("container %s: resources updated to %s", container.id(), update);
    }
  }

  /** The container with this ID or unique ID prefix; NOT_FOUND naming it otherwise. */
  public Container get(String idOrPrefix) {
    return find(idOrPrefix).orElseThrow(() ->
        new NotFoundException("container " + idOrPrefix + " not found"));
  }

  /** The container with this ID or unique ID prefix. */
  public Optional<Container> find(String idOrPrefix) {
    return IdLookup.find(containers, idOrPrefix, "container");
  }


  /** Every container, oldest first. */
  public List<Container> list() {
    return containers.values().stream()
        .sorted(Comparator.comparingLong(Container::createdAtNanos))
        .toList();
  }

  /** The containers of one pod, oldest first. */
  public List<Container> ofPod(String sandboxId) {
    return list().stream().filter(c -> c.sandboxId().equals(sandboxId)).toList();
  }

  /** Turns an exit file into the container's exited state. */
  void onExit(@Observes ContainerExit exit) {
    Container container = containers.get(exit.containerId());
    if (container == null || container.state() == Container.State.EXITED) {
      return;
    }
    boolean oom = Files.exists(container.bundle().resolve("oom"));
    String reason = oom ? "OOMKilled" : exit.exitCode() == 0 ? "Completed" : "Error";
    recordExit(container, exit.exitedAt(), exit.exitCode(), reason, "");
  }

  private void recordExit(Container container, Instant at, int code, String reason,
      String message) {
    Container exited;
    synchronized (lockOf(container.id())) {
      Container current = containers.get(container.id());
      if (current == null || current.state() == Container.State.EXITED) {
        return;
      }
      exited = current.exited(at.getEpochSecond() * 1_000_000_000L + at.getNano(), code,
          reason, message);
      save(exited);
    }
    LOG.infof("container %s (%s) exited with %d (%s)", exited.id(), exited.name(), code,
        reason);
    CompletableFuture<Container> waiting = exits.get(exited.id());
    if (waiting != null) {
      waiting.complete(exited);
    }
    changes.fire(new ContainerChange(exited, ContainerChange.Kind.STOPPED));
  }

  private void save(Container container) {
    store.save(container.id(), container);
    containers.put(container.id(), container);
  }

  private CompletableFuture<Container> exitFuture(String id) {
    return exits.computeIfAbsent(id, key -> new CompletableFuture<>());
  }

  private static Optional<Container> await(CompletableFuture<Container> exited,
      long amount, TimeUnit unit) {
    try {
      return Optional.of(exited.get(amount, unit));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Waits for the container's exit file, checking every second whether the container ended
   * with no monitor left to report it (the monitor was killed): then the exit is recorded
   * here, with conmon's code for an unknown status, so the container can still be stopped.
   */
  private Optional<Container> awaitExit(Container container,
      CompletableFuture<Container> exited, long seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      Optional<Container> done = await(exited, Math.min(TimeUnit.NANOSECONDS.toMillis(left),
          1000), TimeUnit.MILLISECONDS);
      if (done.isPresent() || left <= 0) {
        return done;
      }
      if (endedWithoutMonitor(container)) {
        String why = "its monitor (pid " + container.monitorPid() + ") ended before it;"
            + " the exit code is unknown";
        LOG.warnf("container %s: %s", container.id(), why);
        recordExit(container, Instant.now(), 255, "Error", why);
        return Optional.of(get(container.id()));
      }
    }
  }

  /** Whether the container has stopped and its monitor is gone, so no exit file will come. */
  private boolean endedWithoutMonitor(Container container) {
    if (Processes.isRunning(container.monitorPid())) {
      return false;
    }
    if (exitWatcher.exitOf(container.id()).isPresent()) {
      return false;
    }
    Optional<RuntimeState> state = runtime.state(container.id());
    return state.isEmpty() || state.get().status() == RuntimeState.Status.STOPPED;
  }

  /** Signals a container; one that already ended is not an error here. */
  private void killQuietly(String id, String signal) {
    try {
      runtime.kill(id, signal, signal.equals("KILL"));
    } catch (RuntimeException e) {
      LOG.debugf("container %s: kill %s: %s", id, signal, e.getMessage());
    }
  }

  private void undoCreate(String id, Path dir, boolean created) {
    try {
      if (created) {
        killQuietly(id, "KILL");
      }
      runtime.delete(id);
      rootfs.remove(id);
      Trees.delete(dir);
      Trees.delete(monitors.attachDir().resolve(id));
      exitWatcher.forget(id);
    } catch (RuntimeException cleanup) {
      LOG.errorf("container %s: cleaning up after a failed create: %s", id,
          cleanup.getMessage());
    }
  }

  private static void validate(ContainerConfig config) {
    if (config.getMetadata().getName().isEmpty()) {
      throw new IllegalArgumentException("container config needs metadata.name");
    }
    if (config.getImage().getImage().isEmpty()) {
      throw new IllegalArgumentException("container " + config.getMetadata().getName()
          + ": no image given");
    }
  }

  /** The log file kubelet named: the pod's log directory joined with the container's path. */
  private static String logPath(Sandbox sandbox, ContainerConfig config) throws IOException {
    if (sandbox.spec().logDirectory().isEmpty() || config.getLogPath().isEmpty()) {
      return "";
    }
    Path path = Path.of(sandbox.spec().logDirectory()).resolve(config.getLogPath());
    Files.createDirectories(path.getParent());
    return path.toString();
  }

  /** The signal that asks it to stop: kubelet's choice, else the image's, else SIGTERM. */
  private static String stopSignal(ContainerConfig config, JsonNode imageConfig) {
    if (config.getStopSignal() != Signal.RUNTIME_DEFAULT
        && config.getStopSignal() != Signal.UNRECOGNIZED) {
      return config.getStopSignal().name();
    }
    String image = imageConfig.path("StopSignal").asText("");
    return image.isEmpty() ? "SIGTERM" : image;
  }

  /** The image name kubelet shows as running: a repo digest, else the image ID. */
  private static String imageRef(ImageRecord image) {
    return image.repoDigests().isEmpty() ? image.id() : image.repoDigests().getFirst();
  }

  /** Kubelet's per-pod container name: {@code name_pod_namespace_uid_attempt}. */
  private static String reservedName(Sandbox sandbox, ContainerConfig config) {
    return config.getMetadata().getName() + "_" + sandbox.spec().name() + "_"
        + sandbox.spec().namespace() + "_" + sandbox.spec().uid() + "_"
        + config.getMetadata().getAttempt();
  }

  private String reservedName(Container container) {
    return sandboxes.find(container.sandboxId())
        .map(s -> reservedName(s, container.containerConfig()))
        .orElse(container.id());
  }

  private Object lockOf(String id) {
    return locks.computeIfAbsent(id, key -> new Object());
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
