#!/usr/bin/python3
"""Streaming: crictl exec round trip and port-forward throughput, Pier against containerd.

Both daemons run side by side on their own sockets, roots and CNI networks, started with the
pieces of bench/pods/bench.py (registry with the test images, daemons, clean-up). Each runs one
pod whose busybox container serves a file of --megabytes MB with httpd on port 8080.

exec: the wall time of `crictl exec <container> true` (CRI Exec, then the SPDY stream, runc
exec, the exit status), --execs times per runtime, the runtimes taking turns.
port-forward: `crictl port-forward <pod> <local>:8080` once per runtime, then
`curl -o /dev/null` of the file through the local port, --transfers times per runtime in
turns; throughput in MB/s from curl's total time.

Printed: median, p90 and min of exec times; median, best and worst throughput per runtime;
the ratio Pier / containerd of the medians (exec: lower is better; throughput: higher is
better).

Run as root from the repository (it builds target/pier first if it is missing):
  /usr/bin/python3 bench/stream/bench.py [--execs 30] [--transfers 5] [--megabytes 100]
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pods"))
import bench as pods  # noqa: E402  bench/pods/bench.py: daemons, registry, clean-up

CRICTL = "/usr/local/bin/crictl"


def crictl(rt, *args, **kwargs):
    return subprocess.run([CRICTL, "--runtime-endpoint", "unix://" + rt.sock,
                           "--image-endpoint", "unix://" + rt.sock, "--timeout", "60s"]
                          + list(args), capture_output=True, text=True, **kwargs)


def start_server(pb, rt, work, cgroup_top, image, megabytes):
    """A pod with an httpd serving /www/big; returns (pod ID, container ID)."""
    uid = str(uuid.uuid4())
    log_dir = os.path.join(work, "logs", os.path.basename(rt.home))
    os.makedirs(log_dir)
    config = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name="stream", uid=uid, namespace="bench", attempt=0),
        hostname="stream", log_directory=log_dir, labels={"bench": "stream"},
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent="/%s/pod%s" % (cgroup_top, uid),
            security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=pb.NamespaceOption(pid=pb.CONTAINER))))
    pod = rt.cri("RunPodSandbox", config=config).pod_sandbox_id
    script = ("mkdir -p /www && head -c %d /dev/zero > /www/part && mv /www/part /www/big"
              " && exec httpd -f -p 8080 -h /www" % (megabytes * 1000 * 1000))
    container = pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name="httpd", attempt=0),
        image=pb.ImageSpec(image=image), command=["sh", "-c", script],
        log_path="httpd.log", labels={"bench": "stream"})
    ctr = rt.cri("CreateContainer", pod_sandbox_id=pod, config=container,
                 sandbox_config=config).container_id
    rt.cri("StartContainer", container_id=ctr)
    deadline = time.monotonic() + 120
    while crictl(rt, "exec", "-s", ctr, "test", "-s", "/www/big").returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("%s: the served file did not appear" % rt.name)
        time.sleep(0.5)
    return pod, ctr


def time_exec(rt, ctr):
    start = time.perf_counter()
    result = crictl(rt, "exec", ctr, "true")
    elapsed = (time.perf_counter() - start) * 1000.0
    if result.returncode != 0:
        raise RuntimeError("%s: crictl exec failed: %s" % (rt.name, result.stderr.strip()))
    return elapsed


def start_forward(rt, pod):
    """crictl port-forward to port 8080 of the pod; returns (process, local port)."""
    port = pods.free_port()
    process = subprocess.Popen([CRICTL, "--runtime-endpoint", "unix://" + rt.sock,
                                "port-forward", pod, "%d:8080" % port],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    if "Forwarding from" not in line:
        process.kill()
        raise RuntimeError("%s: port-forward did not start: %s" % (rt.name, line))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return process, port


def time_transfer(rt, port, megabytes):
    result = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w",
                             "%{size_download} %{time_total}",
                             "http://127.0.0.1:%d/big" % port],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError("%s: transfer failed: %s" % (rt.name, result.stderr.strip()))
    size, seconds = result.stdout.split()
    if int(float(size)) != megabytes * 1000 * 1000:
        raise RuntimeError("%s: got %s bytes" % (rt.name, size))
    return int(float(size)) / 1e6 / float(seconds)


def summary(values):
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90, ordered[0]


def report(execs, rates, names, megabytes):
    print()
    print("crictl exec <ctr> true, wall time (ms); ratio = Pier / containerd (lower is better)")
    print("%-14s %8s %8s %8s %6s" % ("runtime", "median", "p90", "min", "n"))
    for name in names:
        med, p90, low = summary(execs[name])
        print("%-14s %8.1f %8.1f %8.1f %6d" % (name, med, p90, low, len(execs[name])))
    base = statistics.median(execs["containerd"])
    for name in names:
        if name != "containerd":
            print("ratio %s / containerd (median): %.2f" % (
                name, statistics.median(execs[name]) / base))
    print()
    print("port-forward, %d MB through curl (MB/s); ratio = Pier / containerd (higher is better)"
          % megabytes)
    print("%-14s %8s %8s %8s %6s" % ("runtime", "median", "best", "worst", "n"))
    for name in names:
        print("%-14s %8.1f %8.1f %8.1f %6d" % (name, statistics.median(rates[name]),
                                               max(rates[name]), min(rates[name]),
                                               len(rates[name])))
    base = statistics.median(rates["containerd"])
    for name in names:
        if name != "containerd":
            print("ratio %s / containerd (median): %.2f" % (
                name, statistics.median(rates[name]) / base))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execs", type=int, default=30, help="exec round trips per runtime")
    parser.add_argument("--transfers", type=int, default=5, help="transfers per runtime")
    parser.add_argument("--megabytes", type=int, default=100, help="size of the transfer")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/stream/bench.py: run as root (it starts CRI daemons)")
    if pods.ensure_packages():
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    import grpc  # Debian's python3-grpcio, as in bench/pods.

    pods.ensure_pier()
    work = tempfile.mkdtemp(prefix="pier-bench-stream.")
    leftovers = pods.Leftovers(work)
    registry = pods.Registry(work)
    forwards = []

    def interrupted(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        pb = pods.load_cri(work)
        registry.start()
        cgroup_top = "pierbench-%d" % os.getpid()
        leftovers.cgroup_tops = pods.make_cgroup_top(cgroup_top)
        runtimes = [
            pods.start_pierd("pier+piermon", work, os.path.join(pods.DIST, "bin", "piermon"),
                             registry.address, leftovers),
            pods.start_containerd(work, registry.address, leftovers),
        ]
        image = registry.address + "/library/busybox:latest"
        servers = {}
        for rt in runtimes:
            rt.await_ready(pb, grpc)
            rt.cri("PullImage", image=pb.ImageSpec(image=image))
            rt.cri("PullImage", image=pb.ImageSpec(image=registry.address + "/pause:3.10"))
            servers[rt.name] = start_server(pb, rt, work, cgroup_top, image, args.megabytes)
            pods.log("%s: httpd serving %d MB" % (rt.name, args.megabytes))
        names = [rt.name for rt in runtimes]
        execs = {name: [] for name in names}
        for rt in runtimes:
            time_exec(rt, servers[rt.name][1])  # warm-up, unrecorded
        for i in range(args.execs):
            for rt in runtimes[i % 2:] + runtimes[:i % 2]:
                execs[rt.name].append(time_exec(rt, servers[rt.name][1]))
        pods.log("exec: %d round trips per runtime done" % args.execs)
        ports = {}
        for rt in runtimes:
            process, port = start_forward(rt, servers[rt.name][0])
            forwards.append(process)
            ports[rt.name] = port
        rates = {name: [] for name in names}
        for i in range(args.transfers):
            for rt in runtimes[i % 2:] + runtimes[:i % 2]:
                rates[rt.name].append(time_transfer(rt, ports[rt.name], args.megabytes))
        pods.log("port-forward: %d transfers per runtime done, load %.2f" % (
            args.transfers, os.getloadavg()[0]))
        report(execs, rates, names, args.megabytes)
        for rt in runtimes:
            print("%s: %s" % (rt.name, pods.version_line(rt)))
        return 0
    finally:
        for process in forwards:
            process.kill()
            process.wait()
        registry.stop()
        leftovers.remove()


if __name__ == "__main__":
    sys.exit(main())
