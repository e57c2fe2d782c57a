#!/usr/bin/env python3
"""Measures piermon against conmon in one run, with real runc and a busybox container.

Figures, each for both monitors, with piermon/conmon ratios:
  - launch: from starting the monitor to the container's pid on the sync pipe (median);
  - PSS of an idle monitor while 8 containers run at once (mean, from smaps_rollup);
  - stdout-to-log throughput: a container writes 200 MB of lines, timed to the exit file.
Launch and throughput runs alternate between the monitors, so that on a shared machine both
see the same load.

Run as root from anywhere, after building monitor-cli (../../monitor-cli/target/piermon):
  python3 bench/monitor/bench.py [--piermon PATH] [--conmon PATH] [--launches N]
Needs: runc, conmon, busybox-static (Debian packages), Java 25 for piermon.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PIERMON = os.path.join(HERE, "..", "..", "monitor-cli", "target", "piermon", "bin",
                               "piermon")
RUNC = shutil.which("runc") or "/usr/sbin/runc"
APPLETS = ["sh", "echo", "cat", "sleep", "head", "yes", "true"]


def make_bundle(path, args):
    """Creates an OCI bundle at path whose rootfs is busybox, running args."""
    rootfs_bin = os.path.join(path, "rootfs", "bin")
    os.makedirs(rootfs_bin)
    shutil.copy("/bin/busybox", os.path.join(rootfs_bin, "busybox"))
    for applet in APPLETS:
        os.symlink("busybox", os.path.join(rootfs_bin, applet))
    subprocess.run([RUNC, "spec", "--bundle", path], check=True)
    config_path = os.path.join(path, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    config["process"]["args"] = args
    config["root"]["readonly"] = True
    with open(config_path, "w") as f:
        json.dump(config, f)


class Run:
    """One monitor started as cri-o and podman start it, with sync and start pipes."""

    def __init__(self, monitor, work, bundle):
        self.cid = "bench-" + uuid.uuid4().hex[:12]
        self.work = work
        os.makedirs(os.path.join(work, "exits"), exist_ok=True)
        os.makedirs(os.path.join(work, "persist"), exist_ok=True)
        os.makedirs(os.path.join(work, "sockets"), exist_ok=True)
        sync_r, sync_w = os.pipe()
        start_r, start_w = os.pipe()
        env = dict(os.environ, _OCI_SYNCPIPE=str(sync_w), _OCI_STARTPIPE=str(start_r))
        args = [monitor, "--api-version", "1", "-c", self.cid, "-u", self.cid,
                "-r", RUNC, "-b", bundle, "-p", os.path.join(work, "ctr.pid"),
                "-P", os.path.join(work, "monitor.pid"),
                "-l", "k8s-file:" + os.path.join(work, "ctr.log"),
                "--exit-dir", os.path.join(work, "exits"),
                "-0", os.path.join(work, "persist"),
                "--socket-dir-path", os.path.join(work, "sockets")]
        self.t0 = time.monotonic()
        parent = subprocess.Popen(args, pass_fds=(sync_w, start_r), env=env, cwd=work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(sync_w)
        os.close(start_r)
        os.write(start_w, b"\0")
        os.close(start_w)
        if parent.wait() != 0:
            raise RuntimeError("monitor's parent failed for " + monitor)
        data = b""
        while not data.endswith(b"\n"):
            chunk = os.read(sync_r, 4096)
            if not chunk:
                break
            data += chunk
        self.launch_seconds = time.monotonic() - self.t0
        os.close(sync_r)
        message = json.loads(data)
        if message.get("data", -1) <= 0:
            raise RuntimeError("create failed: %r" % data)

    def start(self):
        subprocess.run([RUNC, "start", self.cid], check=True)

    def exit_file(self):
        return os.path.join(self.work, "exits", self.cid)

    def monitor_pid(self):
        with open(os.path.join(self.work, "monitor.pid")) as f:
            return int(f.read().strip())

    def remove(self):
        subprocess.run([RUNC, "delete", "--force", self.cid], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        pid_file = os.path.join(self.work, "monitor.pid")
        if os.path.exists(pid_file):
            pid = self.monitor_pid()
            deadline = time.monotonic() + 10
            while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
                time.sleep(0.02)


def pss_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError("no Pss for %d" % pid)


def wait_for(path, seconds):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for " + path)
        time.sleep(0.005)


def launch_once(monitor, work, bundle):
    run = Run(monitor, work, bundle)
    run.remove()
    return run.launch_seconds


def idle_pss(monitor, base, bundle):
    runs = []
    try:
        for i in range(8):
            # The bundle can be shared: runc keeps its state elsewhere.
            runs.append(Run(monitor, os.path.join(base, "idle-%d" % i), bundle))
        for run in runs:
            run.start()
        # Idle for a while first: the JVM hands compiler scratch memory back after some seconds.
        time.sleep(10)
        return [pss_kib(run.monitor_pid()) for run in runs]
    finally:
        for run in runs:
            run.remove()


def throughput_once(monitor, work, bundle):
    run = Run(monitor, work, bundle)
    try:
        t0 = time.monotonic()
        run.start()
        wait_for(run.exit_file(), 600)
        return time.monotonic() - t0
    finally:
        run.remove()


def measure_all(monitors, scratch, launches, rounds):
    """Alternates the monitors in every step, so both see the same load on a shared machine."""
    sleeper = os.path.join(scratch, "sleeper")
    make_bundle(sleeper, ["sleep", "1000"])
    writer = os.path.join(scratch, "writer")
    # 200 MB of 100-byte lines.
    make_bundle(writer, ["sh", "-c", "yes " + "x" * 98 + " | head -c 200000000"])
    results = {name: {"launch": [], "pss": [], "seconds": []} for name in monitors}
    for i in range(launches):
        for name, path in monitors.items():
            work = os.path.join(scratch, name, "launch-%d" % i)
            results[name]["launch"].append(launch_once(path, work, sleeper))
    for name, path in monitors.items():
        results[name]["pss"] = idle_pss(path, os.path.join(scratch, name), sleeper)
    for i in range(rounds):
        for name, path in monitors.items():
            work = os.path.join(scratch, name, "throughput-%d" % i)
            results[name]["seconds"].append(throughput_once(path, work, writer))
    summary = {}
    for name, r in results.items():
        summary[name] = {
            "launch_ms": statistics.median(r["launch"]) * 1000,
            "launch_all_ms": [round(t * 1000) for t in r["launch"]],
            "pss_kib": statistics.mean(r["pss"]),
            "pss_all_kib": r["pss"],
            "throughput_mb_s": 200.0 / statistics.median(r["seconds"]),
            "throughput_all_s": [round(t, 2) for t in r["seconds"]],
        }
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--piermon", default=os.path.normpath(DEFAULT_PIERMON))
    parser.add_argument("--conmon", default=shutil.which("conmon") or "/usr/bin/conmon")
    parser.add_argument("--launches", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="throughput runs per monitor")
    opts = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench.py: run as root (runc needs it)")
    scratch = tempfile.mkdtemp(prefix="piermon-bench-")
    try:
        print("measuring conmon (%s) and piermon (%s) ..." % (opts.conmon, opts.piermon),
              flush=True)
        results = measure_all({"conmon": opts.conmon, "piermon": opts.piermon}, scratch,
                              opts.launches, opts.rounds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    c, p = results["conmon"], results["piermon"]
    print()
    print("load average at the end: %s" % open("/proc/loadavg").read().split()[:3])
    print("%-36s %12s %12s %10s" % ("figure", "conmon", "piermon", "ratio p/c"))
    print("%-36s %12.1f %12.1f %10.2f" % ("launch to pid on sync pipe, ms (median)",
                                          c["launch_ms"], p["launch_ms"],
                                          p["launch_ms"] / c["launch_ms"]))
    print("%-36s %12.0f %12.0f %10.2f" % ("idle PSS per monitor, KiB (8 running)",
                                          c["pss_kib"], p["pss_kib"],
                                          p["pss_kib"] / c["pss_kib"]))
    print("%-36s %12.1f %12.1f %10.2f" % ("stdout to log, MB/s (200 MB, median)",
                                          c["throughput_mb_s"], p["throughput_mb_s"],
                                          p["throughput_mb_s"] / c["throughput_mb_s"]))
    print()
    print("details: " + json.dumps(results))


if __name__ == "__main__":
    main()
