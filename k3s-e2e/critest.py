#!/usr/bin/python3
"""CRI conformance: cri-tools' critest against the packaged pierd, with piermon and with conmon.

Builds critest at the pinned cri-tools version (scripts/lib.sh) from the Go module proxy, runs
a docker-registry on a free loopback port holding stand-ins for the public images critest pulls
(test-images/testimages.py --critest), serves them under their public names through pierd's
registry-mirror setting, starts target/pier/bin/pierd on its own socket, roots, management port
and CNI network (own bridge and subnet) once per monitor, and runs the whole suite (serially)
against it. Prints per monitor

  critest (piermon): N passed, M failed, K skipped

and the names of the failed cases. Exits 1 when the passes of a monitor fall below its count in
k3s-e2e/floor. Cases named in k3s-e2e/skip (a regular expression and the reason, one a line)
are given to critest's -ginkgo.skip. critest's output and JSON report and pierd's log stay in
target/critest/<monitor>/.

Run as root from the repository (it builds target/pier first if it is missing):
  k3s-e2e/critest.py [--monitor piermon|conmon]... [--focus REGEX]
Needs Go, gcc, runc, conmon, containernetworking-plugins, docker-registry, skopeo, iptables and
Debian's busybox package file (scripts/install-deps puts it in /var/cache/pier/debs). Everything
it starts, mounts or creates is removed at the end, also after a failure or Ctrl-C.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "test-images"))
from testhost import (DIST, Registry, cgroup_roots, free_port, kill_processes_under,  # noqa: E402
                      kill_runc_containers, log, remove_nat_rules, stop_process, tail,
                      unmount_under, write_conflist)

OUT = os.path.join(REPO, "target", "critest")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "pier")
BUSYBOX_DEBS = "/var/cache/pier/debs/busybox_*.deb"
CNI_BIN = "/usr/lib/cni"
MONITORS = {
    "piermon": os.path.join(DIST, "bin", "piermon"),
    "conmon": "/usr/bin/conmon",
}
# Each daemon's CNI network: name, bridge, subnet; apart from Pier's default (pier0,
# 10.85.0.0/16), the pod bench's and each other.
NETWORKS = {
    "piermon": ("piercritest-pm", "piercrit0", "10.94.0.0/16"),
    "conmon": ("piercritest-cm", "piercrit1", "10.93.0.0/16"),
}
# Public registries whose names critest pulls; the mirror serves <registry>/<path> for each.
MIRRORED = ("registry.k8s.io", "gcr.io", "k8s.gcr.io")
FAILED_STATES = ("failed", "panicked", "timedout", "interrupted", "aborted")


def cri_tools_version():
    with open(os.path.join(REPO, "scripts", "lib.sh")) as f:
        return re.search(r"^CRI_TOOLS_VERSION=(\S+)", f.read(), re.M).group(1)


def build_critest(version):
    """`go test -c` of critest from a module of ours requiring cri-tools; cached per version."""
    module = os.path.join(CACHE, "critest-" + version)
    binary = os.path.join(module, "critest")
    if os.access(binary, os.X_OK):
        return binary
    log("building critest %s from the Go module proxy" % version)
    os.makedirs(module, exist_ok=True)
    with open(os.path.join(module, "go.mod"), "w") as f:
        f.write("module pier.local/critest\n\ngo 1.24\n\nrequire sigs.k8s.io/cri-tools %s\n"
                % version)
    with open(os.path.join(module, "tools.go"), "w") as f:
        f.write("//go:build tools\n\npackage tools\n\n"
                "import _ \"sigs.k8s.io/cri-tools/cmd/critest\"\n")
    subprocess.run(["go", "mod", "tidy"], cwd=module, check=True)
    subprocess.run(["go", "test", "-c", "-o", binary + ".new",
                    "sigs.k8s.io/cri-tools/cmd/critest"], cwd=module, check=True)
    os.rename(binary + ".new", binary)
    return binary


def ensure_pier():
    if os.access(os.path.join(DIST, "bin", "pierd"), os.X_OK):
        return
    log("building Pier (target/pier is missing)")
    java = sorted(glob.glob("/usr/lib/jvm/temurin-25-jdk-*") + glob.glob("/usr/lib/jvm/java-25-*"))
    env = dict(os.environ)
    if java and "JAVA_HOME" not in env:
        env["JAVA_HOME"] = java[0]
    subprocess.run(["./mvnw", "-B", "-q", "package", "-DskipTests"], cwd=REPO, check=True,
                   env=env)


def read_skips():
    """(regex, reason) of every case in k3s-e2e/skip; a line is `REGEX | reason`."""
    skips = []
    with open(os.path.join(HERE, "skip")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pattern, sep, reason = line.partition(" | ")
            if not sep or not reason.strip():
                sys.exit("k3s-e2e/skip: no reason given for %r" % pattern)
            skips.append((pattern.strip(), reason.strip()))
    return skips


def read_floor():
    floor = {}
    with open(os.path.join(HERE, "floor")) as f:
        for line in f:
            words = line.split("#")[0].split()
            if len(words) == 2:
                floor[words[0]] = int(words[1])
    return floor


class Pierd:
    """One pierd with its own socket, roots, management port and CNI network."""

    def __init__(self, monitor, work, registry):
        self.monitor = monitor
        self.home = os.path.join(work, monitor)
        self.sock = os.path.join(self.home, "run", "pier.sock")
        self.runc_root = os.path.join(self.home, "run", "runc")
        self.log_path = os.path.join(self.home, "pierd.log")
        self.registry = registry
        self.process = None
        self.bridge = NETWORKS[monitor][1]

    def start(self):
        os.makedirs(self.home)
        name, bridge, subnet = NETWORKS[self.monitor]
        cni_dir = os.path.join(self.home, "cni")
        write_conflist(os.path.join(cni_dir, "10-critest.conflist"), name, bridge, subnet,
                       os.path.join(self.home, "ipam"))
        env = dict(os.environ,
                   PIER_SOCKET=self.sock,
                   PIER_ROOT=os.path.join(self.home, "root"),
                   PIER_RUN_ROOT=os.path.join(self.home, "run"),
                   PIER_MANAGEMENT_PORT=str(free_port()),
                   PIER_MONITOR=MONITORS[self.monitor],
                   PIER_CNI_CONFIG_DIR=cni_dir,
                   PIER_CNI_PLUGIN_DIRS=CNI_BIN,
                   PIER_REGISTRY_MIRRORS=",".join("%s=%s" % (r, self.registry)
                                                  for r in MIRRORED),
                   PIER_INSECURE_REGISTRIES=self.registry)
        with open(self.log_path, "w") as out:
            self.process = subprocess.Popen([os.path.join(DIST, "bin", "pierd")], env=env,
                                            stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.home)
        deadline = time.monotonic() + 180
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError("pierd (%s) exited with %d:\n%s" % (
                    self.monitor, self.process.returncode, tail(self.log_path)))
            if time.monotonic() > deadline:
                raise RuntimeError("pierd (%s) did not serve %s within 180s:\n%s" % (
                    self.monitor, self.sock, tail(self.log_path)))
            time.sleep(0.3)
        log("pierd (%s): pid %d on %s" % (self.monitor, self.process.pid, self.sock))

    def answers(self):
        if not os.path.exists(self.sock):
            return False
        done = subprocess.run(["crictl", "--runtime-endpoint", "unix://" + self.sock,
                               "--timeout", "5s", "version"], capture_output=True)
        return done.returncode == 0

    def crictl(self, *args):
        return subprocess.run(["crictl", "--runtime-endpoint", "unix://" + self.sock,
                               "--image-endpoint", "unix://" + self.sock,
                               "--timeout", "30s"] + list(args), capture_output=True,
                              text=True)

    def remove_pods(self):
        if self.process is None or self.process.poll() is not None:
            return
        for pod in self.crictl("pods", "-q").stdout.split():
            self.crictl("stopp", pod)
            self.crictl("rmp", "-f", pod)

    def stop(self):
        stop_process(self.process)

    def container_ids(self):
        """Every 64-hex ID pierd's log names: the pods and containers it made."""
        try:
            with open(self.log_path, errors="replace") as f:
                return set(re.findall(r"\b[0-9a-f]{64}\b", f.read()))
        except OSError:
            return set()


def run_critest(critest, daemon, skips, focus):
    """Runs the suite against `daemon`; returns (passed, failed, skipped) case names."""
    out = os.path.join(OUT, daemon.monitor)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    report = os.path.join(out, "report.json")
    endpoint = "unix://" + daemon.sock
    cmd = [critest, "-runtime-endpoint", endpoint, "-image-endpoint", endpoint,
           "-ginkgo.json-report", report, "-ginkgo.no-color", "-ginkgo.timeout", "40m"]
    for pattern, _ in skips:
        cmd += ["-ginkgo.skip", pattern]
    if focus:
        cmd += ["-ginkgo.focus", focus]
    log("critest (%s): running; output in %s" % (daemon.monitor, out))
    started = time.monotonic()
    with open(os.path.join(out, "critest.log"), "w") as f:
        subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=out)
    log("critest (%s): done in %ds" % (daemon.monitor, time.monotonic() - started))
    passed, failed, skipped = [], [], {}
    if not os.path.exists(report):
        raise RuntimeError("critest wrote no report; see %s" % os.path.join(out, "critest.log"))
    with open(report) as f:
        suites = json.load(f)
    for suite in suites:
        for spec in suite.get("SpecReports") or []:
            if spec.get("LeafNodeType") != "It":
                continue
            name = " ".join((spec.get("ContainerHierarchyTexts") or [])
                            + [spec.get("LeafNodeText", "")])
            if "benchmark" in name.lower():
                continue  # critest's benchmarks, never part of a validation run.
            state = spec.get("State")
            if state == "passed":
                passed.append(name)
            elif state in FAILED_STATES:
                failed.append(name)
            else:
                # A case critest skips itself says why; one not run says nothing.
                reason = (spec.get("Failure") or {}).get("Message") or (
                    "k3s-e2e/skip" if any(re.search(p, name) for p, _ in skips)
                    else "outside --focus")
                skipped[name] = reason.splitlines()[0]
    return sorted(passed), sorted(failed), skipped


def clean_up(work, daemons, registry):
    """Removes everything the run made, whatever state it stopped in."""
    for daemon in daemons:
        try:
            daemon.remove_pods()
        except Exception as e:  # A hung daemon: the steps below still clean up.
            log("pierd (%s): could not remove its pods: %s" % (daemon.monitor, e))
    ids = set()
    for daemon in daemons:
        daemon.stop()
        ids |= daemon.container_ids()
        if os.path.exists(daemon.log_path):
            os.makedirs(os.path.join(OUT, daemon.monitor), exist_ok=True)
            shutil.copy(daemon.log_path, os.path.join(OUT, daemon.monitor, "pierd.log"))
        kill_runc_containers(daemon.runc_root)
    registry.stop()
    kill_processes_under(work)
    unmount_under(work)
    for root in cgroup_roots():
        for cid in ids:
            for path in glob.glob(os.path.join(root, "**", "pier-" + cid), recursive=True):
                try:
                    os.rmdir(path)
                except OSError as e:
                    log("cgroup %s not removed: %s" % (path, e))
    for daemon in daemons:
        if os.path.exists("/sys/class/net/" + daemon.bridge):
            subprocess.run(["ip", "link", "del", daemon.bridge], check=False)
    remove_nat_rules([n[0] for n in NETWORKS.values()])
    shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitor", action="append", choices=sorted(MONITORS),
                        help="run with this monitor only (repeatable; default: both)")
    parser.add_argument("--focus", help="run only the cases matching this regex "
                        "(then the floor is not checked)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("critest.py: run as root (pierd runs containers)")
    monitors = args.monitor or ["piermon", "conmon"]
    skips = read_skips()
    floor = read_floor()

    critest = build_critest(cri_tools_version())
    ensure_pier()
    started = time.monotonic()
    debs = sorted(glob.glob(BUSYBOX_DEBS))
    if not debs:
        sys.exit("critest.py: no Debian busybox package file in %s; run scripts/install-deps"
                 % os.path.dirname(BUSYBOX_DEBS))
    work = tempfile.mkdtemp(prefix="pier-critest-")
    registry = Registry(work, ["--critest", debs[-1]])
    daemons = []
    results = {}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        registry.start()
        for monitor in monitors:
            daemon = Pierd(monitor, work, registry.address)
            daemons.append(daemon)
            daemon.start()
            results[monitor] = run_critest(critest, daemon, skips, args.focus)
            daemon.remove_pods()
            daemon.stop()
    finally:
        clean_up(work, daemons, registry)

    status = 0
    for monitor, (passed, failed, skipped) in results.items():
        print("critest (%s): %d passed, %d failed, %d skipped" % (
            monitor, len(passed), len(failed), len(skipped)))
        for name in failed:
            print("  failed: " + name)
        reasons = {}
        for reason in skipped.values():
            reasons[reason] = reasons.get(reason, 0) + 1
        for reason, count in sorted(reasons.items()):
            print("  skipped: %d (%s)" % (count, reason))
        if not args.focus and len(passed) < floor.get(monitor, 0):
            print("critest (%s): %d passed is below the floor of %d (k3s-e2e/floor)" % (
                monitor, len(passed), floor[monitor]))
            status = 1
    log("critest: %d monitor(s) in %ds" % (len(results), time.monotonic() - started))
    return status


if __name__ == "__main__":
    sys.exit(main())
