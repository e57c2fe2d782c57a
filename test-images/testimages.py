#!/usr/bin/env python3
"""Pier's test images: OCI layouts built from Debian's busybox-static, pushed with skopeo.

  testimages.py build OUT [--bench] [--critest BUSYBOX_DEB]
                                        write OCI layouts under OUT/<name>
  testimages.py push OUT HOST:PORT [--creds USER:PASS] [--prefix P]
                                        push every layout in OUT to the registry (plain HTTP)
  testimages.py serve DIR HOST:PORT [--htpasswd FILE] [--tls CERT KEY]
                                        run docker-registry in the foreground, storing in DIR

Images (pushed as <prefix>/<name>:latest, prefix "pier-test"; busybox also as
library/busybox:latest so that a mirror for docker.io serves `busybox`):
  busybox        busybox with its applets as symlinks, /etc/passwd, Cmd ["sh"]
  busybox-uid    the same with USER 1000:1000
  busybox-user   the same with USER pier (a name from its /etc/passwd)
  layers         busybox plus a gzip, a zstd and an uncompressed layer exercising whiteouts,
                 opaque dirs, hardlinks, symlinks, devices, fifos, modes, owners, mtimes and
                 xattrs
  multiarch      an OCI index with linux/amd64 and linux/arm64 manifests; each has a
                 /platform file naming its architecture
  pause          busybox and /pause (a static program waiting for SIGTERM, its entrypoint),
                 also pushed as pause:3.10 so that a mirror for registry.k8s.io serves
                 registry.k8s.io/pause:3.10
  bench          (only with --bench) busybox plus five layers of about 20 MB compressed each
  critest-*      (only with --critest BUSYBOX_DEB) stand-ins for the public images critest
                 pulls, pushed under their public repository names (CRITEST_TARGETS) so that
                 a mirror for registry.k8s.io, gcr.io and k8s.gcr.io serves them

Needs python3, busybox-static, zstd, gcc, libc6-dev, skopeo and docker-registry (Debian
packages); --critest also Debian's busybox package file (apt-get download busybox: it
conflicts with busybox-static, so it is unpacked, not installed). Nothing is fetched from
the network.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile

BUSYBOX = "/bin/busybox"
MTIME = 1704067200  # 2024-01-01T00:00:00Z, so layers are reproducible.
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPES = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


class Tar:
    """An in-memory layer tarball with fixed owners and times unless told otherwise."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, kind, mode, uid=0, gid=0, mtime=MTIME, pax=None):
        info = tarfile.TarInfo(name)
        info.type = kind
        info.mode = mode
        info.uid, info.gid = uid, gid
        info.uname = info.gname = ""
        info.mtime = mtime
        if pax:
            info.pax_headers = pax
        return info

    def dir(self, name, mode=0o755, **kw):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode, **kw))

    def file(self, name, data, mode=0o644, **kw):
        if isinstance(data, str):
            data = data.encode()
        info = self._info(name, tarfile.REGTYPE, mode, **kw)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, name, target):
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)

    def hardlink(self, name, target, mode=0o644):
        # As tar writes them, with the target's mode: some unpackers (containerd's) apply it.
        info = self._info(name, tarfile.LNKTYPE, mode)
        info.linkname = target
        self.tar.addfile(info)

    def chardev(self, name, major, minor, mode=0o666):
        info = self._info(name, tarfile.CHRTYPE, mode)
        info.devmajor, info.devminor = major, minor
        self.tar.addfile(info)

    def fifo(self, name, mode=0o644):
        self.tar.addfile(self._info(name, tarfile.FIFOTYPE, mode))

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI image layout directory being written."""

    def __init__(self, path):
        self.path = path
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(os.path.join(path, "blobs", "sha256"))
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(self, data, media_type):
        d = digest(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": d, "size": len(data)}

    def layer(self, tar_bytes, compression):
        if compression == "gzip":
            data = gzip.compress(tar_bytes, compresslevel=6, mtime=0)
        elif compression == "zstd":
            data = subprocess.run(["zstd", "-q", "-3", "-c"], input=tar_bytes,
                                  stdout=subprocess.PIPE, check=True).stdout
        else:
            data = tar_bytes
        return self.blob(data, LAYER_TYPES[compression]), digest(tar_bytes)

    def image(self, layers, arch="amd64", user="", cmd=("sh",), entrypoint=None):
        """Writes config and manifest for [(tar bytes, compression)] and returns its descriptor."""
        descriptors, diff_ids = [], []
        for tar_bytes, compression in layers:
            desc, diff_id = self.layer(tar_bytes, compression)
            descriptors.append(desc)
            diff_ids.append(diff_id)
        config = {
            "created": "2024-01-01T00:00:00Z",
            "architecture": arch,
            "os": "linux",
            "config": {
                "User": user,
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "Cmd": list(cmd),
                "Entrypoint": list(entrypoint) if entrypoint else None,
                "WorkingDir": "/",
            },
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "pier test-images"}
                        for _ in layers],
        }
        config_desc = self.blob(json.dumps(config, indent=2).encode(), OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc,
                    "layers": descriptors}
        desc = self.blob(json.dumps(manifest, indent=2).encode(), OCI_MANIFEST)
        desc["platform"] = {"architecture": arch, "os": "linux"}
        return desc

    def index(self, top):
        """Writes index.json naming `top` (a manifest or index descriptor) as tag latest."""
        entry = dict(top)
        entry.pop("platform", None)
        entry["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}, f)


def busybox_layer():
    applets = subprocess.run([BUSYBOX, "--list"], stdout=subprocess.PIPE, check=True,
                             text=True).stdout.split()
    with open(BUSYBOX, "rb") as f:
        binary = f.read()
    t = Tar()
    for d in ("bin", "etc", "root", "home", "home/pier", "proc", "sys", "dev", "var"):
        t.dir(d)
    t.dir("tmp", mode=0o1777)
    t.file("bin/busybox", binary, mode=0o755)
    for applet in sorted(set(applets)):
        if applet != "busybox":
            t.symlink("bin/" + applet, "busybox")
    t.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                         "pier:x:1000:1000:pier:/home/pier:/bin/sh\n"
                         "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    t.file("etc/group", "root:x:0:\npier:x:1000:\nnogroup:x:65534:\n")
    return t.bytes()


def tree_layers():
    """The layers image's own three layers (on top of busybox)."""
    a = Tar()
    a.dir("data")
    a.file("data/keep.txt", "keep\n")
    a.file("data/remove.txt", "remove me\n")
    a.file("data/override.txt", "v1\n")
    a.dir("opq")
    a.file("opq/old.txt", "old\n")
    a.dir("opq/sub")
    a.file("opq/sub/deep.txt", "deep\n")
    a.dir("gone-dir")
    a.file("gone-dir/x.txt", "x\n")

    b = Tar()
    b.dir("data")
    b.file("data/.wh.remove.txt", "")
    b.file(".wh.gone-dir", "")
    b.dir("opq")
    b.file("opq/.wh..wh..opq", "")
    b.file("opq/new.txt", "new\n")
    b.file("data/hard1", "shared\n")
    b.hardlink("data/hard2", "data/hard1")
    b.symlink("data/link", "keep.txt")
    b.symlink("data/abslink", "/data/keep.txt")
    b.fifo("data/fifo")
    b.chardev("data/null", 1, 3)
    b.file("data/suid", "suid\n", mode=0o4755, uid=1000, gid=1000)
    b.file("data/xattr.txt", "xattr\n", pax={"SCHILY.xattr.user.pier": "yes"})
    b.file("data/mtime.txt", "mtime\n", mtime=1000000000)
    b.dir("data/private", mode=0o700, uid=1000, gid=1000)

    c = Tar()
    c.dir("data")
    c.file("data/plain.txt", "plain\n")
    c.file("data/override.txt", "v2\n")
    return [(a.bytes(), "gzip"), (b.bytes(), "zstd"), (c.bytes(), "none")]


def bench_layers():
    rng = random.Random(42)
    layers = []
    for n in range(5):
        t = Tar()
        t.dir("bench%d" % n)
        for i in range(12):
            # Half incompressible, half text: about 20 MB compressed per layer.
            t.file("bench%d/random-%02d.bin" % (n, i), rng.randbytes(1536 * 1024))
            t.file("bench%d/text-%02d.txt" % (n, i),
                   ("".join(rng.choice("pier layer ") for _ in range(4096)) * 256).encode())
        for i in range(2000):
            t.file("bench%d/small/%04d.txt" % (n, i), "small file %d %d\n" % (n, i) * 20)
        layers.append((t.bytes(), "gzip"))
    return layers


# The public images critest (cri-tools) pulls, as repositories on the mirror: the mirror maps
# registry.k8s.io/X, gcr.io/X and k8s.gcr.io/X to <registry>/X.
CRITEST_TARGETS = {
    "critest-busybox": ["e2e-test-images/busybox:1.29-2"],
    "critest-nginx": ["e2e-test-images/nginx:1.14-2"],
    "critest-hostnet-nginx": ["k8s-staging-cri-tools/hostnet-nginx-amd64:latest"],
    "critest-httpd": ["e2e-test-images/httpd:2.4.39-4"],
    "critest-nonewprivs": ["e2e-test-images/nonewprivs:1.3"],
    "critest-user-uid": ["k8s-staging-cri-tools/test-image-user-uid:latest"],
    "critest-user-username": ["k8s-staging-cri-tools/test-image-user-username:latest"],
    "critest-user-uid-group": ["k8s-staging-cri-tools/test-image-user-uid-group:latest"],
    "critest-user-username-group": [
        "k8s-staging-cri-tools/test-image-user-username-group:latest"],
    "critest-predefined-group": ["k8s-staging-cri-tools/test-image-predefined-group:latest"],
    # Apart, so that one left behind (a pull critest cancels may still finish) holds no tag
    # of another.
    "critest-image-latest": ["k8s-staging-cri-tools/test-image-latest:latest"],
    "critest-image-tag": ["k8s-staging-cri-tools/test-image-tag:test"],
    "critest-image-tag-all": ["k8s-staging-cri-tools/test-image-tag:all"],
    "critest-image-1": ["k8s-staging-cri-tools/test-image-1:latest"],
    "critest-image-2": ["k8s-staging-cri-tools/test-image-2:latest"],
    "critest-image-3": ["k8s-staging-cri-tools/test-image-3:latest"],
    "critest-image-tags": ["k8s-staging-cri-tools/test-image-tags:%d" % n for n in (1, 2, 3)],
    # Both registry.k8s.io/pause:3.9 and k8s.gcr.io/pause:3.9, one image; distinct from
    # pause:3.10, which pierd's infra containers use while critest removes 3.9.
    "critest-pause": ["pause:3.9"],
}

# Stands in for nginx: a process named nginx with "master process" in its command line that
# writes /var/run/nginx.pid and serves HTTP through busybox httpd, its worker.
NGINX = """#!/bin/sh
echo $$ > /var/run/nginx.pid
httpd -f -p %d -h /usr/share/nginx/html &
trap 'kill $!; exit 0' TERM INT QUIT
wait
"""

HTTPD = """#!/bin/sh
echo "httpd -D FOREGROUND"
exec httpd -f -v -p 80 -h /usr/local/apache2/htdocs
"""

# Debian's busybox has neither ipcs nor pgrep; these read /proc as the real ones do.
IPCS = """#!/bin/sh
echo "------ Shared Memory Segments --------"
echo "key        shmid      owner      perms      bytes      nattch     status"
tail -n +2 /proc/sysvipc/shm | while read key shmid perms size cpid lpid nattch uid rest; do
  printf '0x%08x %-10s %-10s %-10s %-10s %-10s\\n' "$key" "$shmid" "$uid" "$perms" "$size" \\
    "$nattch"
done
"""

PGREP = """#!/bin/sh
found=1
for d in /proc/[0-9]*; do
  read -r comm < "$d/comm" 2>/dev/null || continue
  case "$comm" in *$1*) echo "${d#/proc/}"; found=0 ;; esac
done
exit $found
"""

NNP_C = """#include <stdio.h>
#include <unistd.h>
int main(void) {
  printf("Effective uid: %d\\n", (int) geteuid());
  return 0;
}
"""


# An infra container's only process: it sleeps until SIGTERM or SIGINT and, as PID 1 of a
# pod's PID namespace, reaps the orphans of the pod's containers. No shell, no sleep child, so
# a pod's process list holds only what its containers run.
PAUSE_C = """#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void quit(int sig) { (void) sig; _exit(0); }
static void reap(int sig) { (void) sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGTERM, quit);
  signal(SIGINT, quit);
  signal(SIGCHLD, reap);
  for (;;) {
    pause();
  }
}
"""


def shared_libraries(binary):
    """The (path in the image, path on the host) of every library `binary` loads."""
    out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, check=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        words = line.split()
        path = words[2] if "=>" in words else words[0]
        if path.startswith("/"):
            libs.append((path.lstrip("/"), os.path.realpath(path)))
    return libs


def critest_base_layer(busybox_deb, work):
    """Debian's dynamically linked busybox with its libraries and applets as hardlinks.

    Its shell finds applets through PATH (busybox-static runs them inside the shell), so a
    masked /bin/ls is really masked; hardlinks keep busybox itself reachable.
    """
    unpacked = os.path.join(work, "busybox-deb")
    shutil.rmtree(unpacked, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", busybox_deb, unpacked], check=True)
    binary = os.path.join(unpacked, "bin", "busybox")
    applets = subprocess.run([binary, "--list"], stdout=subprocess.PIPE, check=True,
                             text=True).stdout.split()
    t = Tar()
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/local", "usr/local/bin", "etc",
              "lib", "lib64", "root", "home", "proc", "sys", "dev", "run", "var", "var/run"):
        t.dir(d)
    t.dir("tmp", mode=0o1777)
    made = set()
    for inside, host in shared_libraries(binary):
        parent = os.path.dirname(inside)
        if parent not in made and parent not in ("lib", "lib64"):
            t.dir(parent)
            made.add(parent)
        with open(host, "rb") as f:
            t.file(inside, f.read(), mode=0o755)
    with open(binary, "rb") as f:
        t.file("bin/busybox", f.read(), mode=0o755)
    for applet in sorted(set(applets) - {"busybox"}):
        t.hardlink("bin/" + applet, "bin/busybox", mode=0o755)
    t.file("bin/ipcs", IPCS, mode=0o755)
    t.file("bin/pgrep", PGREP, mode=0o755)
    t.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                         "www-data:x:33:33:www-data:/var/www:/bin/false\n"
                         "default-user:x:1000:1000:default-user:/home:/bin/sh\n"
                         "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    t.file("etc/group", "root:x:0:\nwww-data:x:33:\ndefault-user:x:1000:\n"
                        "group-defined-in-image:x:50000:default-user\nnogroup:x:65534:\n")
    return t.bytes()


def compile_c(work, name, source, *flags):
    """Compiles one C file with gcc and returns the program's bytes."""
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, name)
    with open(path + ".c", "w") as f:
        f.write(source)
    subprocess.run(["gcc", "-Os", *flags, "-o", path, path + ".c"], check=True)
    with open(path, "rb") as f:
        return f.read()


def nonewprivs_layer(work):
    """A setuid-root program that prints its effective uid."""
    t = Tar()
    t.file("usr/local/bin/nnp", compile_c(work, "nnp", NNP_C), mode=0o4755)
    return t.bytes()


def pause_layer(work):
    """/pause, a static program that only waits, as the real pause image holds."""
    t = Tar()
    t.file("pause", compile_c(work, "pause", PAUSE_C, "-static"), mode=0o755)
    return t.bytes()


def marker_layer(text):
    t = Tar()
    t.file("image", text + "\n")
    return t.bytes()


def build_critest(out, busybox_deb):
    work = os.path.join(out, ".critest-work")
    os.makedirs(work, exist_ok=True)
    base = [(critest_base_layer(busybox_deb, work), "gzip")]
    small = [(busybox_layer(), "gzip")]

    def image(name, layers, **kw):
        layout = Layout(os.path.join(out, name))
        layout.index(layout.image(layers, **kw))

    image("critest-busybox", base)
    for name, port in (("critest-nginx", 80), ("critest-hostnet-nginx", 12003)):
        web = Tar()
        for d in ("usr/share/nginx", "usr/share/nginx/html"):
            web.dir(d)
        web.file("usr/share/nginx/html/index.html", "Welcome to nginx!\n")
        web.file("usr/sbin/nginx", NGINX % port, mode=0o755)
        image(name, base + [(web.bytes(), "gzip")], cmd=(),
              entrypoint=("/usr/sbin/nginx", "master process", "-g", "daemon off;"))
    web = Tar()
    for d in ("usr/local/apache2", "usr/local/apache2/htdocs"):
        web.dir(d)
    web.file("usr/local/apache2/htdocs/index.html", "<html><body>It works!</body></html>\n")
    web.file("usr/local/bin/httpd-foreground", HTTPD, mode=0o755)
    image("critest-httpd", base + [(web.bytes(), "gzip")], cmd=("httpd-foreground",))
    image("critest-nonewprivs", base + [(nonewprivs_layer(work), "gzip")],
          cmd=("/usr/local/bin/nnp",))
    for name, user in (("critest-user-uid", "1002"), ("critest-user-username", "www-data"),
                       ("critest-user-uid-group", "1003:1004"),
                       ("critest-user-username-group", "www-data:1004"),
                       ("critest-predefined-group", "1000")):
        image(name, base, user=user)
    for name in ("critest-image-latest", "critest-image-tag", "critest-image-tag-all",
                 "critest-image-1", "critest-image-2", "critest-image-3",
                 "critest-image-tags"):
        image(name, small + [(marker_layer(name), "gzip")])
    image("critest-pause", [(pause_layer(work), "gzip"), (marker_layer("pause 3.9"), "gzip")],
          cmd=(), entrypoint=("/pause",))
    shutil.rmtree(work)


def build(out, bench, critest_deb=None):
    os.makedirs(out, exist_ok=True)
    base = busybox_layer()
    images = {
        "busybox": {},
        "busybox-uid": {"user": "1000:1000"},
        "busybox-user": {"user": "pier"},
    }
    for name, kw in images.items():
        layout = Layout(os.path.join(out, name))
        layout.index(layout.image([(base, "gzip")], **kw))
    layout = Layout(os.path.join(out, "pause"))
    work = os.path.join(out, ".work")
    layout.index(layout.image([(base, "gzip"), (pause_layer(work), "gzip")], cmd=(),
                              entrypoint=("/pause",)))
    shutil.rmtree(work)
    layout = Layout(os.path.join(out, "layers"))
    layout.index(layout.image([(base, "gzip")] + tree_layers()))

    layout = Layout(os.path.join(out, "multiarch"))
    manifests = []
    for arch in ("arm64", "amd64"):
        marker = Tar()
        marker.file("platform", arch + "\n")
        layers = [(marker.bytes(), "gzip")]
        if arch == "amd64":
            layers.insert(0, (base, "gzip"))
        manifests.append(layout.image(layers, arch=arch))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    layout.index(layout.blob(json.dumps(index, indent=2).encode(), OCI_INDEX))

    if bench:
        layout = Layout(os.path.join(out, "bench"))
        layout.index(layout.image([(base, "gzip")] + bench_layers()))
    if critest_deb:
        build_critest(out, critest_deb)


def push(out, registry, creds, prefix):
    for name in sorted(os.listdir(out)):
        layout = os.path.join(out, name)
        if not os.path.exists(os.path.join(layout, "index.json")):
            continue
        targets = CRITEST_TARGETS.get(name) or ["%s/%s:latest" % (prefix, name)]
        if name == "busybox":
            targets.append("library/busybox:latest")
        if name == "pause":
            targets.append("pause:3.10")
        for target in targets:
            cmd = ["skopeo", "copy", "--quiet", "--all", "--preserve-digests",
                   "--dest-tls-verify=false"]
            if creds:
                cmd += ["--dest-creds", creds]
            cmd += ["oci:%s:latest" % layout, "docker://%s/%s" % (registry, target)]
            subprocess.run(cmd, check=True)
            print("pushed %s/%s" % (registry, target))


def serve(directory, address, htpasswd, tls=None):
    os.makedirs(directory, exist_ok=True)
    config = {
        "version": 0.1,
        "log": {"level": "warn", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": os.path.abspath(directory)},
                    "delete": {"enabled": True}},
        "http": {"addr": address},
    }
    if tls:
        cert, key = tls
        config["http"]["tls"] = {"certificate": os.path.abspath(cert),
                                 "key": os.path.abspath(key)}
    if htpasswd:
        config["auth"] = {"htpasswd": {"realm": "pier-test", "path": os.path.abspath(htpasswd)}}
    path = os.path.join(directory, "config.yml")
    with open(path, "w") as f:
        json.dump(config, f)  # JSON is YAML.
    os.execvp("docker-registry", ["docker-registry", "serve", path])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("out")
    b.add_argument("--bench", action="store_true")
    b.add_argument("--critest", metavar="BUSYBOX_DEB",
                   help="also the stand-ins for critest's public images")
    p = sub.add_parser("push")
    p.add_argument("out")
    p.add_argument("registry")
    p.add_argument("--creds")
    p.add_argument("--prefix", default="pier-test")
    s = sub.add_parser("serve")
    s.add_argument("dir")
    s.add_argument("address")
    s.add_argument("--htpasswd")
    s.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    args = parser.parse_args()
    if args.command == "build":
        build(args.out, args.bench, args.critest)
    elif args.command == "push":
        push(args.out, args.registry, args.creds, args.prefix)
    else:
        serve(args.dir, args.address, args.htpasswd, args.tls)


if __name__ == "__main__":
    sys.exit(main())
