"""Helpers for the programs that run pierd beside a test registry on this host as root.

The test registry (docker-registry on a free loopback port with test-images/testimages.py's
images), a CNI network of pierd's default kind under another name, bridge and subnet, and the
removal of what such a run leaves on the host: runc containers, monitors, mounts, cgroups, NAT
rules. Used by bench/pods/bench.py and k3s-e2e/critest.py.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DIST = os.path.join(REPO, "target", "pier")
TEST_IMAGES = os.path.join(HERE, "testimages.py")
RUNC = shutil.which("runc") or "/usr/sbin/runc"


def log(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return path


def stop_process(process, timeout=30):
    """Stops a child we started: SIGTERM, then SIGKILL after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return False
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return True


class Registry:
    """docker-registry on a free loopback port with the test images pushed to it."""

    def __init__(self, work, build_args=()):
        self.work = work
        self.build_args = list(build_args)
        self.address = "127.0.0.1:%d" % free_port()
        self.process = None

    def start(self):
        tool = TEST_IMAGES
        layouts = os.path.join(self.work, "layouts")
        subprocess.run([sys.executable, tool, "build", layouts] + self.build_args, check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(self.work, "registry.log"), "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, tool, "serve", os.path.join(self.work, "registry"),
                 self.address], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen("http://%s/v2/" % self.address, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("registry did not answer on " + self.address)
                time.sleep(0.2)
        subprocess.run([sys.executable, tool, "push", layouts, self.address], check=True,
                       stdout=subprocess.DEVNULL)
        log("registry on %s with the test images" % self.address)

    def stop(self):
        stop_process(self.process)


def kill_runc_containers(root):
    listed = subprocess.run([RUNC, "--root", root, "list", "-q"], capture_output=True,
                            text=True)
    for cid in listed.stdout.split():
        log("leftover runc container %s under %s: killing it" % (cid, root))
        subprocess.run([RUNC, "--root", root, "kill", "--all", cid, "KILL"],
                       capture_output=True)
        subprocess.run([RUNC, "--root", root, "delete", "--force", cid], capture_output=True)


def kill_processes_under(work):
    """Kills monitors and shims whose command line names the bench's directory."""
    me = os.getpid()
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        if pid == me:
            continue
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                args = f.read().decode(errors="replace")
        except OSError:
            continue
        if work in args:
            log("leftover process %d (%s): killing it" % (pid, args.split("\0")[0]))
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def unmount_under(work):
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p.startswith(work)), reverse=True):
        subprocess.run(["umount", "-l", point], check=False)


def cgroup_roots():
    """Mount points of the cgroup hierarchies (v1 controllers, or the v2 unified one)."""
    roots = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype in ("cgroup", "cgroup2"):
                roots.append(fields[4])
    return roots


def remove_cgroup_tree(top):
    if not os.path.isdir(top):
        return
    for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -w[0].count("/")):
        try:
            os.rmdir(dirpath)
        except OSError as e:
            log("cgroup %s not removed: %s" % (dirpath, e))


def remove_nat_rules(networks):
    """Deletes NAT rules and chains the bridge plugin left for the bench's networks."""
    listed = subprocess.run(["iptables", "-t", "nat", "-S"], capture_output=True, text=True)
    chains = set()
    for line in listed.stdout.splitlines():
        if line.startswith("-A ") and any('"name: \\"%s\\"' % n in line or
                                          'name: "%s"' % n in line for n in networks):
            args = shlex.split(line)
            if "-j" in args:
                chains.add(args[args.index("-j") + 1])
            log("leftover NAT rule: " + line)
            subprocess.run(["iptables", "-t", "nat", "-D"] + args[1:], check=False)
    for chain in chains:
        if chain.startswith("CNI-") and not chain.startswith("CNI-HOSTPORT"):
            subprocess.run(["iptables", "-t", "nat", "-F", chain], check=False)
            subprocess.run(["iptables", "-t", "nat", "-X", chain], check=False)


def write_conflist(path, name, bridge, subnet, data_dir):
    """Pier's default bridge network under another name, bridge, subnet and IPAM directory."""
    with open(os.path.join(DIST, "etc", "cni", "net.d", "10-pier-bridge.conflist")) as f:
        conf = json.load(f)
    conf["name"] = name
    bridge_plugin = next(p for p in conf["plugins"] if p["type"] == "bridge")
    bridge_plugin["bridge"] = bridge
    bridge_plugin["ipam"]["ranges"] = [[{"subnet": subnet}]]
    bridge_plugin["ipam"]["dataDir"] = data_dir
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(conf, f, indent=2)
