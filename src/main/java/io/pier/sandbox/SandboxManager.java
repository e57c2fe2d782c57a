package io.pier.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pier.AlreadyExistsException;
import io.pier.FailedPreconditionException;
import io.pier.NotFoundException;
import io.pier.cgroup.Cgroups;
import io.pier.network.CniRunner;
import io.pier.network.PodNetworkRequest;
import io.pier.network.PodNetworkResult;
import io.pier.state.IdLookup;
import io.pier.state.RecordStore;
import io.pier.state.Trees;
import io.pier.state.StateDirectories;
import jakarta.enterprise.context.ApplicationScoped;
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
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Runs, stops and removes pod sandboxes: pinned namespaces, the CNI attachment, the pod's
 * shared files, and a record on disk that a restarted pierd reloads.
 */
@ApplicationScoped
public class SandboxManager {

  private static final Logger LOG = Logger.getLogger(SandboxManager.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final NamespacePinner pinner;
  private final CniRunner cni;
  private final Cgroups cgroups;
  private final InfraContainer infra;
  private final RecordStore<Sandbox> store;
  private final Path podDirs;
  private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, String> reservedNames = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  SandboxManager(StateDirectories dirs, NamespacePinner pinner, CniRunner cni, Cgroups cgroups,
      InfraContainer infra, ObjectMapper json) {
    this.cgroups = cgroups;
    this.infra = infra;
    this.pinner = pinner;
    this.cni = cni;
    this.store = new RecordStore<>(dirs.root().resolve("pods"), Sandbox.class, json);
    this.podDirs = dirs.runRoot().resolve("pods");
    for (Sandbox sandbox : store.loadAll()) {
      sandboxes.put(sandbox.id(), sandbox);
      reservedNames.put(sandbox.reservedName(), sandbox.id());
    }
    if (!sandboxes.isEmpty()) {
      LOG.infof("reloaded %d pod sandboxes", sandboxes.size());
    }
  }

  /** Creates a pod sandbox and leaves it ready, or leaves nothing behind. */
  public Sandbox run(PodSpec spec) {
    validate(spec);
    String id = HexFormat.of().formatHex(randomBytes());
    String name = Sandbox.reservedName(spec);
    String holder = reservedNames.putIfAbsent(name, id);
    if (holder != null) {
      throw new AlreadyExistsException("pod sandbox name " + name + " is reserved by " + holder);
    }
    Path dir = podDirs.resolve(id);
    PodNetworkRequest network = null;
    PodNetworkResult attached = null;
    Path shm = null;
    try {
      Files.createDirectories(dir);
      if (!spec.logDirectory().isEmpty()) {
        Files.createDirectories(Path.of(spec.logDirectory()));
      }
      String hostname = PodFiles.hostname(spec, PodFiles::nodeHostname);
      cgroups.ensurePodParent(spec.cgroupParent());
      PodNamespaces ns = pinner.pin(id, hostname);
      List<String> ips = List.of();
      String cniResult = "";
      String cniConfig = "";
      if (!spec.hostNetwork()) {
        network = networkRequest(id, spec, ns.net());
        attached = cni.add(network);
        ips = attached.ips();
        cniResult = attached.cniResult();
        cniConfig = attached.networkConfig();
      }
      shm = spec.hostIpc() ? Path.of("/dev/shm") : PodFiles.mountShm(dir);
      Sandbox sandbox = new Sandbox(id, spec, Sandbox.State.READY, nowNanos(),
          spec.hostNetwork() ? "" : ns.net().toString(), ips, cniResult, cniConfig,
          shm.toString(),
          PodFiles.writeResolvConf(dir, spec.dns()).toString(),
          PodFiles.writeHostname(dir, hostname).toString(),
          PodFiles.writeHosts(dir, hostname, ips).toString(), 0);
      if (spec.sharedPid() && !spec.hostPid()) {
        sandbox = sandbox.withInfraPid(infra.start(sandbox, dir));
      }
      store.save(id, sandbox);
      sandboxes.put(id, sandbox);
      LOG.infof("pod %s (%s/%s) ready, IPs %s%s", id, spec.namespace(), spec.name(), ips,
          sandbox.hasInfraContainer() ? ", shared PID namespace" : "");
      return sandbox;
    } catch (IOException | RuntimeException e) {
      LOG.warnf("pod %s (%s/%s) failed to start: %s", id, spec.namespace(), spec.name(),
          e.getMessage());
      undoRun(id, dir, network, attached, shm, spec);
      reservedNames.remove(name, id);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("creating pod sandbox " + id, io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Stops a pod whose containers have stopped: ends its infra container, detaches its network
   * while its netns is still pinned, then releases its namespaces and /dev/shm. Safe to
   * repeat; the record stays until the pod is removed.
   */
  public Sandbox stop(String idOrPrefix) {
    Sandbox sandbox = get(idOrPrefix);
    synchronized (lockOf(sandbox.id())) {
      sandbox = get(sandbox.id());
      if (sandbox.hasInfraContainer()) {
        infra.stop(sandbox.id());
      }
      if (!sandbox.spec().hostNetwork() && !sandbox.netns().isEmpty()
          && NamespacePinner.isMountPoint(Path.of(sandbox.netns()))) {
        cni.del(networkRequest(sandbox.id(), sandbox.spec(), Path.of(sandbox.netns())),
            sandbox.cniResult(), sandbox.cniConfig());
      }
      if (!sandbox.spec().hostIpc()) {
        PodFiles.unmountShm(Path.of(sandbox.shmPath()));
      }
      pinner.unpin(sandbox.id());
      if (sandbox.state() != Sandbox.State.NOTREADY) {
        sandbox = sandbox.withState(Sandbox.State.NOTREADY);
        store.save(sandbox.id(), sandbox);
        sandboxes.put(sandbox.id(), sandbox);
        LOG.infof("pod %s stopped", sandbox.id());
      }
      return sandbox;
    }
  }

  /** Removes a pod, stopping it first; a pod that does not exist is not an error. */
  public void remove(String idOrPrefix) {
    Optional<Sandbox> found = find(idOrPrefix);
    if (found.isEmpty()) {
      return;
    }
    Sandbox sandbox = stop(found.get().id());
    synchronized (lockOf(sandbox.id())) {
      if (sandbox.hasInfraContainer()) {
        infra.remove(sandbox.id());
      }
      Trees.delete(podDirs.resolve(sandbox.id()));
      cgroups.removePodParent(sandbox.spec().cgroupParent());
      store.delete(sandbox.id());
      sandboxes.remove(sandbox.id());
      reservedNames.remove(sandbox.reservedName(), sandbox.id());
    }
    locks.remove(sandbox.id());
    LOG.infof("pod %s removed", sandbox.id());
  }

  /**
   * The PID namespace the pod's containers share, {@code /proc/<infra pid>/ns/pid}; empty
   * when they share none. Fails when the infra container is gone, since joining a namespace
   * by a stale PID could land in another process' namespace.
   */
  public Optional<Path> sharedPidNamespace(Sandbox sandbox) {
    if (!sandbox.hasInfraContainer()) {
      return Optional.empty();
    }
    if (!infra.isRunning(sandbox)) {
      throw new FailedPreconditionException("pod sandbox " + sandbox.id() + ": its infra"
          + " container (pid " + sandbox.infraPid() + ") is not running");
    }
    return Optional.of(Path.of("/proc", Integer.toString(sandbox.infraPid()), "ns", "pid"));
  }

  /** The sandbox with this ID or unique ID prefix; NOT_FOUND naming it otherwise. */
  public Sandbox get(String idOrPrefix) {
    return find(idOrPrefix).orElseThrow(() ->
        new NotFoundException("pod sandbox " + idOrPrefix + " not found"));
  }

  /** The sandbox with this ID or unique ID prefix. */
  public Optional<Sandbox> find(String idOrPrefix) {
    return IdLookup.find(sandboxes, idOrPrefix, "pod sandbox");
  }


  /** Every sandbox, oldest first. */
  public List<Sandbox> list() {
    return sandboxes.values().stream()
        .sorted(Comparator.comparingLong(Sandbox::createdAtNanos))
        .toList();
  }

  private void undoRun(String id, Path dir, PodNetworkRequest network,
      PodNetworkResult attached, Path shm, PodSpec spec) {
    try {
      if (attached != null) {
        cni.del(network, attached.cniResult(), attached.networkConfig());
      }
      if (shm != null && !spec.hostIpc()) {
        PodFiles.unmountShm(shm);
      }
      pinner.unpin(id);
      Trees.delete(dir);
      cgroups.removePodParent(spec.cgroupParent());
    } catch (RuntimeException cleanup) {
      LOG.errorf("pod %s: cleaning up after a failed start: %s", id, cleanup.getMessage());
    }
  }

  private static void validate(PodSpec spec) {
    if (spec.name().isEmpty() || spec.namespace().isEmpty() || spec.uid().isEmpty()) {
      throw new IllegalArgumentException("pod sandbox metadata needs a name, namespace and uid"
          + " (got name='" + spec.name() + "' namespace='" + spec.namespace() + "' uid='"
          + spec.uid() + "')");
    }
    if (!spec.runtimeHandler().isEmpty() && !spec.runtimeHandler().equals("runc")) {
      throw new IllegalArgumentException("runtime handler '" + spec.runtimeHandler()
          + "' is not configured; Pier offers the default handler only");
    }
  }

  /** One lock per pod, so stop and remove of the same pod never run at once. */
  private Object lockOf(String id) {
    return locks.computeIfAbsent(id, key -> new Object());
  }

  private static PodNetworkRequest networkRequest(String id, PodSpec spec, Path netns) {
    return new PodNetworkRequest(id, spec.namespace(), spec.name(), spec.uid(), netns,
        spec.portMappings());
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
