#!/usr/bin/python3
"""critest's benchmarks against Pier (piermon) and containerd's CRI plugin, in one run.

Runs `critest -benchmark` (cri-tools at the pinned version, built as k3s-e2e/critest.py builds
it) with a parameters file (40 pods and 40 containers, 2 at a time; 20 image pulls, one at a
time) against a pierd with piermon and against Debian's containerd, one after the other, each
on its own sockets, roots and CNI network, with critest's images from a loopback registry.
Prints p50 and p90 of every operation per runtime and keeps critest's data files in
bench/critest/results/<runtime>/ (or --out). Everything it starts is removed at the end.

Run as root from the repository (it builds target/pier first if it is missing):
  /usr/bin/python3 bench/critest/bench.py [--out DIR]
Needs what bench/pods/bench.py and k3s-e2e/critest.py need (containerd, python3-grpcio, Go,
docker-registry, skopeo, Debian's busybox package file).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bench", "pods"))
sys.path.insert(0, os.path.join(REPO, "k3s-e2e"))
import bench as pods  # noqa: E402  bench/pods/bench.py: daemons and their removal
import critest  # noqa: E402  k3s-e2e/critest.py: critest itself and its images

# critest's default image, which the container benchmarks run.
CONTAINER_IMAGE = "registry.k8s.io/e2e-test-images/busybox:1.29-2"
# Not the image the container benchmarks run: the image benchmarks remove theirs over and over.
IMAGE = "registry.k8s.io/e2e-test-images/httpd:2.4.39-4"
PARAMS = {
    "podsNumber": 40, "podsNumberParallel": 2, "podBenchmarkTimeoutSeconds": 300,
    "containersNumber": 40, "containersNumberParallel": 2,
    "containerBenchmarkTimeoutSeconds": 300,
    "imagesNumber": 20, "imagesNumberParallel": 1, "imageBenchmarkTimeoutSeconds": 300,
    "imagePullingBenchmarkImage": IMAGE,
    "imageListingBenchmarkImages": [IMAGE, "registry.k8s.io/e2e-test-images/nginx:1.14-2",
                                    "registry.k8s.io/e2e-test-images/nonewprivs:1.3"],
    "podContainerStartBenchmarkTimeoutSeconds": 300,
}


def await_socket(rt, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rt.process.poll() is not None:
            raise RuntimeError("%s exited; see %s" % (rt.name, pods.tail(rt.log_path)))
        done = subprocess.run(["crictl", "--runtime-endpoint", "unix://" + rt.sock,
                               "--timeout", "5s", "info"], capture_output=True)
        if done.returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("%s did not answer on %s" % (rt.name, rt.sock))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def summarize(out_dir):
    """{(file, operation): (n, p50 ms, p90 ms)} from critest's benchmark data files."""
    rows = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
        with open(path) as f:
            data = json.load(f)
        names = data.get("operationsNames") or []
        for i, name in enumerate(names):
            values = [d["operationsDurationsNs"][i] / 1e6 for d in data.get("datapoints") or []
                      if len(d.get("operationsDurationsNs") or []) > i]
            if values:
                key = (os.path.basename(path).replace("_benchmark_data.json", ""), name)
                rows[key] = (len(values), percentile(values, 50), percentile(values, 90))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/critest/bench.py: run as root (it starts CRI daemons)")
    binary = critest.build_critest(critest.cri_tools_version())
    critest.ensure_pier()
    debs = sorted(glob.glob(critest.BUSYBOX_DEBS))
    if not debs:
        sys.exit("no Debian busybox package file; run scripts/install-deps")
    work = tempfile.mkdtemp(prefix="pier-bench-critest.")
    leftovers = pods.Leftovers(work)
    registry = critest.Registry(work, ["--critest", debs[-1]])
    params = os.path.join(work, "params.yaml")
    with open(params, "w") as f:
        json.dump(PARAMS, f)  # JSON is YAML.
    results = {}
    try:
        registry.start()
        for name in ("pier+piermon", "containerd"):
            if name == "containerd":
                rt = pods.start_containerd(work, registry.address, leftovers)
            else:
                rt = pods.start_pierd(name, work, os.path.join(pods.DIST, "bin", "piermon"),
                                      registry.address, leftovers)
            await_socket(rt)
            # Pulled before: two first pulls of one image at once race in containerd 1.6
            # (an incomplete unpack), and the lifecycle figures are not about pulls.
            for image in (CONTAINER_IMAGE, registry.address + "/pause:3.10"):
                subprocess.run(["crictl", "--runtime-endpoint", "unix://" + rt.sock,
                                "--image-endpoint", "unix://" + rt.sock, "pull", image],
                               check=True, stdout=subprocess.DEVNULL)
            out = os.path.join(args.out, name.replace("+", "-"))
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            endpoint = "unix://" + rt.sock
            pods.log("%s: critest -benchmark" % name)
            with open(os.path.join(out, "critest.log"), "w") as f:
                subprocess.run([binary, "-benchmark", "-runtime-endpoint", endpoint,
                                "-image-endpoint", endpoint, "-benchmarking-params-file",
                                params, "-benchmarking-output-dir", out,
                                "-ginkgo.no-color"], stdout=f, stderr=subprocess.STDOUT,
                               cwd=work)
            results[name] = summarize(out)
            rt.stop()
    finally:
        registry.stop()
        leftovers.remove()
        shutil.rmtree(work, ignore_errors=True)

    names = list(results)
    keys = sorted({k for r in results.values() for k in r})
    print("%-40s" % "benchmark / operation" + "".join(
        "%28s" % ("%s p50 / p90 ms (n)" % n) for n in names))
    for key in keys:
        cells = []
        for n in names:
            row = results[n].get(key)
            cells.append("%28s" % ("%.1f / %.1f (%d)" % (row[1], row[2], row[0]) if row
                                   else "-"))
        print("%-40s" % ("%s / %s" % key) + "".join(cells))


if __name__ == "__main__":
    sys.exit(main())
