#!/usr/bin/python3
"""Pod lifecycle latency: Pier with piermon, Pier with conmon and containerd's CRI plugin.

Each round starts N pods (one busybox container each) in parallel on one runtime, every pod
going RunPodSandbox -> CreateContainer -> StartContainer. Then the container of every even pod
is killed, one at a time, for exit-to-status; then all N pods go down in parallel: odd pods
StopContainer (the container exits 0 on SIGTERM), then StopPodSandbox and RemovePodSandbox.
Rounds alternate between the three runtimes (the order rotates each round), so that on a
shared machine all three see the same load. Printed: p50 and p99 of every call per runtime,
and the ratios of each Pier figure to containerd's.

Exit-to-status: the time from the bench's SIGKILL to the container's process (its PID from
`runc state`) until the first ContainerStatus answer that reports CONTAINER_EXITED. The bench
polls ContainerStatus every --poll-ms (5 ms) for one container at a time, so a figure carries
up to one poll interval plus one ContainerStatus call of its own.

Everything runs on its own temporary sockets and directories: a docker-registry on a free
loopback port serving the test images (test-images/testimages.py), two pierd (one with
target/pier/bin/piermon, one with /usr/bin/conmon) and Debian's containerd with its own
config, root, state, runc root and CNI network. Each daemon gets its own bridge and subnet.
Everything is removed at the end, also after a failure or Ctrl-C.

Run as root from the repository (it builds target/pier first if it is missing):
  /usr/bin/python3 bench/pods/bench.py [--pods 20] [--rounds 3] [--warmup 5] [--json FILE]
Needs Debian's containerd, python3-grpcio, python3-protobuf and protobuf-compiler (installed
with apt-get when missing), runc, conmon, containernetworking-plugins, docker-registry, skopeo
and busybox-static. /usr/bin/python3 because the gRPC module is Debian's.
"""

import argparse
import concurrent.futures
import importlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "test-images"))
from testhost import (Registry, cgroup_roots, free_port, kill_processes_under,  # noqa: E402
                      kill_runc_containers, remove_cgroup_tree, remove_nat_rules, tail,
                      unmount_under, write_conflist)
DIST = os.path.join(REPO, "target", "pier")
JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64"
CNI_BIN = "/usr/lib/cni"
CONMON = "/usr/bin/conmon"
RUNC = shutil.which("runc") or "/usr/sbin/runc"
# The Debian packages this bench needs beyond the project's usual ones, with a file each
# package installs (to tell whether it is there).
PACKAGES = {
    "containerd": "/usr/bin/containerd",
    "protobuf-compiler": "/usr/bin/protoc",
    "python3-grpcio": "/usr/lib/python3/dist-packages/grpc/__init__.py",
    "python3-protobuf": "/usr/lib/python3/dist-packages/google/protobuf/__init__.py",
}
# Each daemon's CNI network: name, bridge, subnet. Distinct from Pier's default (pier0,
# 10.85.0.0/16) and from each other, so that parallel tests on the machine do not clash.
NETWORKS = {
    "pier+piermon": ("pierbench-pm", "pierbench0", "10.98.0.0/16"),
    "pier+conmon": ("pierbench-cm", "pierbench1", "10.97.0.0/16"),
    "containerd": ("ctrbench", "ctrbench0", "10.99.0.0/16"),
}
# Calls, then two sums per pod: containerd starts its shim and runc in StartContainer, Pier
# its monitor and runc in CreateContainer, so only the sums compare the same work.
OPS = ["RunPodSandbox", "CreateContainer", "StartContainer", "exit-to-status",
       "StopContainer", "StopPodSandbox", "RemovePodSandbox", "Create+Start", "pod start (3 calls)"]
CALL_TIMEOUT = 120
# A container that runs until it is killed, or exits 0 on SIGTERM (which a shell as PID 1 would
# otherwise ignore), as a well-behaved service does.
COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
STOP_TIMEOUT = 30


def log(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def ensure_packages():
    """Installs the missing Debian packages; the caller re-executes to import them."""
    missing = [name for name, path in PACKAGES.items() if not os.path.exists(path)]
    if not missing:
        return False
    log("installing Debian packages: " + " ".join(missing))
    subprocess.run(["apt-get", "install", "-y"] + missing, check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return True


def ensure_pier():
    if os.access(os.path.join(DIST, "bin", "pierd"), os.X_OK):
        return
    log("building Pier (target/pier is missing)...")
    subprocess.run(["./mvnw", "-B", "-q", "package", "-DskipTests"], cwd=REPO, check=True,
                   env=dict(os.environ, JAVA_HOME=JAVA_HOME))


def load_cri(work):
    """Compiles Pier's copy of the CRI proto with protoc and imports its messages."""
    out = os.path.join(work, "proto")
    os.makedirs(out)
    with open(os.path.join(REPO, "src", "main", "proto", "api.proto")) as f:
        text = f.read()
    # Debian's protobuf 3.21 predates the debug_redact field option; it changes no encoding.
    text = text.replace(" [debug_redact = true]", "")
    with open(os.path.join(out, "api.proto"), "w") as f:
        f.write(text)
    subprocess.run(["protoc", "-I", out, "--python_out", out, "api.proto"], check=True)
    sys.path.insert(0, out)
    return importlib.import_module("api_pb2")


class Cri:
    """A CRI client on one gRPC channel, calling methods by name with Pier's messages."""

    def __init__(self, pb, grpc, sock):
        self.pb = pb
        self.channel = grpc.insecure_channel("unix://" + sock)
        self.methods = {}

    def __call__(self, method, **fields):
        service = "ImageService" if method in ("PullImage", "ListImages") else "RuntimeService"
        if method not in self.methods:
            response = getattr(self.pb, method + "Response")
            self.methods[method] = self.channel.unary_unary(
                "/runtime.v1.%s/%s" % (service, method),
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response.FromString)
        request = getattr(self.pb, method + "Request")(**fields)
        return self.methods[method](request, timeout=CALL_TIMEOUT)

    def close(self):
        self.channel.close()


class Leftovers:
    """Everything the bench made on the host, removed at the end in reverse order."""

    def __init__(self, work):
        self.work = work
        self.processes = []
        self.bridges = []
        self.cgroup_tops = []
        self.created_run_containerd = not os.path.exists("/run/containerd")

    def remove(self):
        for rt in list(self.processes):
            if getattr(rt, "cri", None) is not None:
                try:
                    remove_all_pods(rt)
                except Exception as e:  # A dead daemon: the steps below still clean up.
                    log("%s: could not remove its pods: %s" % (rt.name, e))
        for rt in reversed(self.processes):
            rt.stop()
        for rt in self.processes:
            kill_runc_containers(rt.runc_root)
        kill_processes_under(self.work)
        unmount_under(self.work)
        for top in self.cgroup_tops:
            remove_cgroup_tree(top)
        for bridge in self.bridges:
            if os.path.exists("/sys/class/net/" + bridge):
                subprocess.run(["ip", "link", "del", bridge], check=False)
        remove_nat_rules([n[0] for n in NETWORKS.values()])
        if self.created_run_containerd:
            # containerd 1.6 puts its shims' sockets under /run/containerd/s whatever its
            # state directory; the shims remove their sockets, this removes the directories.
            for d in ("/run/containerd/s", "/run/containerd"):
                try:
                    os.rmdir(d)
                except OSError:
                    pass


def make_cgroup_top(name):
    """Creates /<name> in every hierarchy, so pod cgroups live below a parent of ours."""
    tops = []
    for root in cgroup_roots():
        top = os.path.join(root, name)
        os.makedirs(top, exist_ok=True)
        tops.append(top)
        # A new v1 cpuset starts with no CPUs and no memory nodes; children need both.
        for key in ("cpuset.cpus", "cpuset.mems"):
            if os.path.exists(os.path.join(root, key)):
                with open(os.path.join(root, key)) as f:
                    value = f.read().strip()
                with open(os.path.join(top, key), "w") as f:
                    f.write(value)
    return tops


class Runtime:
    """One daemon under test: how it is started and stopped, and where runc keeps its state."""

    def __init__(self, name, home):
        self.name = name
        self.home = home
        self.sock = None
        self.runc_root = None
        self.process = None
        self.cri = None
        self.log_path = os.path.join(home, "daemon.log")

    def launch(self, command, env):
        with open(self.log_path, "w") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, cwd=self.home)
        log("%s: started pid %d" % (self.name, self.process.pid))

    def await_ready(self, pb, grpc, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("%s exited with %d; see %s" % (
                    self.name, self.process.returncode, tail(self.log_path)))
            if os.path.exists(self.sock):
                cri = Cri(pb, grpc, self.sock)
                try:
                    version = cri("Version")
                    status = cri("Status")
                    if all(c.status for c in status.status.conditions):
                        self.cri = cri
                        log("%s: ready (%s %s)" % (self.name, version.runtime_name,
                                                    version.runtime_version))
                        return
                except grpc.RpcError:
                    pass
                cri.close()
            time.sleep(0.3)
        raise RuntimeError("%s not ready within %ds; see %s" % (self.name, timeout,
                                                              tail(self.log_path)))

    def stop(self):
        if self.cri is not None:
            self.cri.close()
            self.cri = None
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        log("%s: stopped" % self.name)


def start_pierd(name, work, monitor, registry, leftovers):
    home = os.path.join(work, name.replace("+", "-"))
    os.makedirs(home)
    rt = Runtime(name, home)
    rt.sock = os.path.join(home, "run", "pier.sock")
    rt.runc_root = os.path.join(home, "run", "runc")
    net_name, bridge, subnet = NETWORKS[name]
    cni_dir = os.path.join(home, "cni")
    write_conflist(os.path.join(cni_dir, "10-bench.conflist"), net_name, bridge, subnet,
                   os.path.join(home, "ipam"))
    env = dict(os.environ,
               PIER_SOCKET=rt.sock,
               PIER_ROOT=os.path.join(home, "root"),
               PIER_RUN_ROOT=os.path.join(home, "run"),
               PIER_MANAGEMENT_PORT=str(free_port()),
               PIER_MONITOR=monitor,
               PIER_CNI_CONFIG_DIR=cni_dir,
               PIER_CNI_PLUGIN_DIRS=CNI_BIN,
               PIER_PAUSE_IMAGE=registry + "/pause:3.10",
               PIER_REGISTRY_MIRRORS="docker.io=%s,registry.k8s.io=%s" % (registry, registry),
               PIER_INSECURE_REGISTRIES=registry)
    leftovers.processes.append(rt)
    leftovers.bridges.append(bridge)
    rt.launch([os.path.join(DIST, "bin", "pierd")], env)
    return rt


CONTAINERD_CONFIG = """\
version = 2
root = "{home}/root"
state = "{home}/state"
oom_score = 0

[grpc]
  address = "{sock}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{home}/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{registry}/pause:3.10"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "{home}/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{cni_bin}"
    conf_dir = "{home}/cni"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."{registry}"]
    endpoint = ["http://{registry}"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
    endpoint = ["http://{registry}"]
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."registry.k8s.io"]
    endpoint = ["http://{registry}"]
"""


def start_containerd(work, registry, leftovers):
    name = "containerd"
    home = os.path.join(work, name)
    os.makedirs(home)
    rt = Runtime(name, home)
    rt.sock = os.path.join(home, "containerd.sock")
    rt.runc_root = os.path.join(home, "runc", "k8s.io")
    net_name, bridge, subnet = NETWORKS[name]
    write_conflist(os.path.join(home, "cni", "10-bench.conflist"), net_name, bridge, subnet,
                   os.path.join(home, "ipam"))
    config = os.path.join(home, "config.toml")
    with open(config, "w") as f:
        f.write(CONTAINERD_CONFIG.format(home=home, sock=rt.sock, registry=registry,
                                         cni_bin=CNI_BIN))
    leftovers.processes.append(rt)
    leftovers.bridges.append(bridge)
    rt.launch(["containerd", "--config", config], dict(os.environ))
    return rt


def remove_all_pods(rt):
    for pod in rt.cri("ListPodSandbox").items:
        rt.cri("StopPodSandbox", pod_sandbox_id=pod.id)
        rt.cri("RemovePodSandbox", pod_sandbox_id=pod.id)


class Round:
    """One round on one runtime: N pods up in parallel, exits measured, N pods down."""

    def __init__(self, pb, rt, tag, pods, image, work, cgroup_top, poll):
        self.pb = pb
        self.rt = rt
        self.tag = tag
        self.pods = pods
        self.image = image
        self.work = work
        self.cgroup_top = cgroup_top
        self.poll = poll
        self.samples = {op: [] for op in OPS}
        self.errors = []
        self.lock = threading.Lock()

    def record(self, op, seconds):
        with self.lock:
            self.samples[op].append(seconds * 1000.0)

    def pod_config(self, i):
        pb = self.pb
        name = "%s-%d" % (self.tag, i)
        uid = str(uuid.uuid4())
        log_dir = os.path.join(self.work, "logs", self.rt.home.split("/")[-1], name)
        os.makedirs(log_dir)
        return pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace="bench", attempt=0),
            hostname=name, log_directory=log_dir, labels={"bench": "pods"},
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent="/%s/pod%s" % (self.cgroup_top, uid),
                security_context=pb.LinuxSandboxSecurityContext(
                    namespace_options=pb.NamespaceOption(pid=pb.CONTAINER))))

    def container_config(self):
        pb = self.pb
        return pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name="sleeper", attempt=0),
            image=pb.ImageSpec(image=self.image), command=COMMAND,
            log_path="sleeper.log", labels={"bench": "pods"},
            linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                namespace_options=pb.NamespaceOption(pid=pb.CONTAINER))))

    def timed(self, op, method, **fields):
        start = time.perf_counter()
        response = self.rt.cri(method, **fields)
        self.record(op, time.perf_counter() - start)
        return response

    def up(self, config, barrier):
        """One pod's start, as kubelet's pod worker does it; returns (pod, container) IDs."""
        container = self.container_config()
        barrier.wait()
        begin = time.perf_counter()
        pod = self.timed("RunPodSandbox", "RunPodSandbox", config=config).pod_sandbox_id
        created = time.perf_counter()
        ctr = self.timed("CreateContainer", "CreateContainer", pod_sandbox_id=pod,
                         config=container, sandbox_config=config).container_id
        self.timed("StartContainer", "StartContainer", container_id=ctr)
        end = time.perf_counter()
        self.record("Create+Start", end - created)
        self.record("pod start (3 calls)", end - begin)
        return pod, ctr

    def down(self, pod, ctr, running, barrier):
        barrier.wait()
        if running:
            self.timed("StopContainer", "StopContainer", container_id=ctr,
                       timeout=STOP_TIMEOUT)
            status = self.rt.cri("ContainerStatus", container_id=ctr).status
            if status.state != self.pb.CONTAINER_EXITED or status.exit_code != 0:
                self.errors.append("container %s is %s with code %d after StopContainer"
                                   % (ctr, status.state, status.exit_code))
        self.timed("StopPodSandbox", "StopPodSandbox", pod_sandbox_id=pod)
        self.timed("RemovePodSandbox", "RemovePodSandbox", pod_sandbox_id=pod)

    def exit_to_status(self, ctr):
        state = subprocess.run([RUNC, "--root", self.rt.runc_root, "state", ctr],
                               capture_output=True, text=True, check=True)
        pid = json.loads(state.stdout)["pid"]
        start = time.perf_counter()
        os.kill(pid, signal.SIGKILL)
        while True:
            status = self.rt.cri("ContainerStatus", container_id=ctr).status
            if status.state == self.pb.CONTAINER_EXITED:
                self.record("exit-to-status", time.perf_counter() - start)
                if status.exit_code != 137:
                    self.errors.append("container %s exited with %d, not 137" % (
                        ctr, status.exit_code))
                return
            if time.perf_counter() - start > 60:
                raise RuntimeError("container %s not reported exited 60 s after SIGKILL"
                                   % ctr)
            time.sleep(self.poll)

    def run(self):
        configs = [self.pod_config(i) for i in range(self.pods)]
        barrier = threading.Barrier(self.pods)
        with concurrent.futures.ThreadPoolExecutor(self.pods) as pool:
            ups = [pool.submit(self.up, c, barrier) for c in configs]
            started = []
            for future in ups:
                try:
                    started.append(future.result())
                except Exception as e:
                    self.errors.append("start: %s" % describe(e))
                    barrier.abort()
            if len(started) != self.pods:
                return  # remove_all_pods of the caller cleans up
            for pod, ctr in started:
                status = self.rt.cri("ContainerStatus", container_id=ctr).status
                if status.state != self.pb.CONTAINER_RUNNING:
                    self.errors.append("container %s in pod %s is %s after StartContainer"
                                       % (ctr, pod, status.state))
            # Even pods: their container is killed, one at a time, for exit-to-status. Odd pods:
            # their running container is stopped with StopContainer, all at once.
            for _, ctr in started[0::2]:
                self.exit_to_status(ctr)
            barrier = threading.Barrier(self.pods)
            downs = [pool.submit(self.down, pod, ctr, i % 2 == 1, barrier)
                     for i, (pod, ctr) in enumerate(started)]
            for future in downs:
                try:
                    future.result()
                except Exception as e:
                    self.errors.append("stop: %s" % describe(e))
        left = subprocess.run([RUNC, "--root", self.rt.runc_root, "list", "-q"],
                              capture_output=True, text=True).stdout.split()
        if left:
            self.errors.append("runc containers left after removal: %s" % left)


def describe(e):
    details = getattr(e, "details", None)
    code = getattr(e, "code", None)
    if callable(details) and callable(code):
        return "%s: %s" % (code().name, details())
    return repr(e)


def percentile(values, p):
    """Linear interpolation between the closest ranks (numpy's default method)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100.0
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def report(samples, names, pods, rounds, loads):
    peer = "containerd"
    lines = ["| call | " + " | ".join("%s p50 / p99 (ms)" % n for n in names)
             + " | " + " | ".join("%s / containerd p50, p99" % n for n in names if n != peer)
             + " |",
             "|---" * (1 + len(names) + len(names) - 1) + "|"]
    for op in OPS:
        cells = []
        for n in names:
            xs = samples[n][op]
            cells.append("%.1f / %.1f (n=%d)" % (percentile(xs, 50), percentile(xs, 99),
                                                 len(xs)))
        ratios = []
        for n in names:
            if n == peer:
                continue
            ratio = []
            for p in (50, 99):
                base = percentile(samples[peer][op], p)
                ratio.append(percentile(samples[n][op], p) / base if base else float("nan"))
            ratios.append("%.2fx, %.2fx" % tuple(ratio))
        lines.append("| %s | %s | %s |" % (op, " | ".join(cells), " | ".join(ratios)))
    print()
    print("%d pods x %d rounds per runtime; load average per round: %s" % (
        pods, rounds, " ".join("%.2f" % x for x in loads)))
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=20, help="pods started at once")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per runtime")
    parser.add_argument("--warmup", type=int, default=5,
                        help="pods of the unrecorded first round per runtime (0: none)")
    parser.add_argument("--poll-ms", type=float, default=5.0,
                        help="ContainerStatus interval while waiting for an exit")
    parser.add_argument("--runtimes", default="pier+piermon,pier+conmon,containerd")
    parser.add_argument("--json", help="write the raw samples (ms) to this file")
    parser.add_argument("--logs", help="copy the daemons' logs into this directory")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/pods/bench.py: run as root (it starts CRI daemons)")
    if ensure_packages():
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    import grpc  # Debian's python3-grpcio: import it once ensure_packages has run.

    ensure_pier()
    names = args.runtimes.split(",")
    work = tempfile.mkdtemp(prefix="pier-bench-pods.")
    leftovers = Leftovers(work)
    registry = Registry(work)

    def interrupted(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        pb = load_cri(work)
        registry.start()
        cgroup_top = "pierbench-%d" % os.getpid()
        leftovers.cgroup_tops = make_cgroup_top(cgroup_top)
        runtimes = []
        for name in names:
            if name == "pier+piermon":
                runtimes.append(start_pierd(name, work, os.path.join(DIST, "bin", "piermon"),
                                            registry.address, leftovers))
            elif name == "pier+conmon":
                runtimes.append(start_pierd(name, work, CONMON, registry.address, leftovers))
            elif name == "containerd":
                runtimes.append(start_containerd(work, registry.address, leftovers))
            else:
                sys.exit("unknown runtime " + name)
        image = registry.address + "/library/busybox:latest"
        for rt in runtimes:
            rt.await_ready(pb, grpc)
            rt.cri("PullImage", image=pb.ImageSpec(image=image))
            rt.cri("PullImage", image=pb.ImageSpec(image=registry.address + "/pause:3.10"))
        samples = {rt.name: {op: [] for op in OPS} for rt in runtimes}
        errors = []
        loads = []
        plan = []
        if args.warmup:
            plan.append(("warmup", args.warmup, runtimes))
        for r in range(args.rounds):
            order = runtimes[r % len(runtimes):] + runtimes[:r % len(runtimes)]
            plan.append(("r%d" % r, args.pods, order))
        for tag, pods, order in plan:
            for rt in order:
                one = Round(pb, rt, tag, pods, image, work, cgroup_top, args.poll_ms / 1000.0)
                started = time.monotonic()
                one.run()
                remove_all_pods(rt)
                load = os.getloadavg()[0]
                log("%s %s: %d pods in %.1f s, load %.2f%s" % (
                    rt.name, tag, pods, time.monotonic() - started, load,
                    "; errors: %s" % one.errors if one.errors else ""))
                errors.extend("%s %s: %s" % (rt.name, tag, e) for e in one.errors)
                if tag == "warmup":
                    continue
                loads.append(load)
                for op in OPS:
                    samples[rt.name][op].extend(one.samples[op])
        report(samples, [rt.name for rt in runtimes], args.pods, args.rounds, loads)
        for rt in runtimes:
            print("%s: %s" % (rt.name, version_line(rt)))
        print("runc: %s" % subprocess.run([RUNC, "--version"], capture_output=True,
                                          text=True).stdout.splitlines()[0])
        if errors:
            print("errors (%d):" % len(errors))
            for e in errors:
                print("  " + e)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"pods": args.pods, "rounds": args.rounds, "loads": loads,
                           "samples_ms": samples, "errors": errors}, f, indent=1)
        return 1 if errors else 0
    finally:
        registry.stop()
        leftovers.remove()
        if args.logs:
            os.makedirs(args.logs, exist_ok=True)
            for rt in leftovers.processes:
                name = os.path.basename(rt.home) + ".log"
                shutil.copy(rt.log_path, os.path.join(args.logs, name))
            log("daemon logs copied to " + args.logs)
        shutil.rmtree(work, ignore_errors=True)


def version_line(rt):
    if rt.name == "containerd":
        out = subprocess.run(["containerd", "--version"], capture_output=True, text=True)
        return out.stdout.strip()
    # The last commit of Pier's own sources (target/pier is built from the work tree).
    commit = subprocess.run(["git", "-C", REPO, "log", "-1", "--format=%h", "--", "src",
                             "monitor-cli", "pom.xml"],
                            capture_output=True, text=True).stdout.strip()
    monitor = CONMON + " (%s)" % subprocess.run(
        [CONMON, "--version"], capture_output=True, text=True).stdout.split("\n")[0] \
        if "conmon" in rt.name else "target/pier/bin/piermon"
    return "target/pier/bin/pierd, sources of commit %s (JVM mode), monitor %s" % (
        commit, monitor)


if __name__ == "__main__":
    sys.exit(main())
