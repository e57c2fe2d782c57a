#!/bin/sh
# Pull + unpack of a ~100 MB multi-layer image from a docker-registry on loopback:
# Pier (pierd, driven by crictl pull) against skopeo copy to an OCI directory plus an unpack
# of its layers with tar, in the same run. Each side runs RUNS times on a cold store; the
# medians and their ratio are printed. Run by hand as root after ./mvnw -B package.
#
#   bench/image/run.sh [RUNS]
#
# Needs: python3, busybox-static, zstd, skopeo, docker-registry, crictl, GNU tar, gzip.
set -eu

runs=${1:-3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
pierd="$repo/target/pier/bin/pierd"
[ -x "$pierd" ] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 2; }
work=$(mktemp -d /tmp/pier-bench-image.XXXXXX)
registry_pid=""
pierd_pid=""

cleanup() {
  [ -n "$pierd_pid" ] && kill "$pierd_pid" 2>/dev/null && wait "$pierd_pid" 2>/dev/null || true
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null \
    && wait "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "building the bench image..."
python3 "$repo/test-images/testimages.py" build "$work/layouts" --bench
registry="127.0.0.1:$(free_port)"
python3 "$repo/test-images/testimages.py" serve "$work/registry" "$registry" \
  >"$work/registry.log" 2>&1 &
registry_pid=$!
until curl -sf "http://$registry/v2/" >/dev/null; do sleep 0.1; done
skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
  "oci:$work/layouts/bench:latest" "docker://$registry/pier-test/bench:latest"
image="$registry/pier-test/bench:latest"
size=$(du -sb "$work/layouts/bench/blobs" | cut -f1)
layers=$(jq '.layers | length' "$work/layouts/bench/blobs/sha256/$(jq -r \
  '.manifests[0].digest' "$work/layouts/bench/index.json" | cut -d: -f2)")
echo "image $image: $layers layers, $size bytes of blobs"

cat >"$work/config.yaml" <<CONF
pier:
  socket: $work/run/pier.sock
  root: $work/root
  run-root: $work/run
  management-port: $(free_port)
  cni-config-dir: $repo/src/main/dist/cni
  insecure-registries:
    - $registry
CONF
"$pierd" --config "$work/config.yaml" >"$work/pierd.log" 2>&1 &
pierd_pid=$!
socket="unix://$work/run/pier.sock"
crictl="crictl --runtime-endpoint $socket --image-endpoint $socket --timeout 300s"
until $crictl version >/dev/null 2>&1; do sleep 0.2; done

: >"$work/pier.times"
: >"$work/peer.times"
i=0
while [ "$i" -lt "$runs" ]; do
  i=$((i + 1))
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
  start=$(now)
  $crictl pull "$image" >/dev/null
  end=$(now)
  echo "$end - $start" | bc >>"$work/pier.times"
  $crictl rmi "$image" >/dev/null

  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
  rm -rf "$work/peer"
  mkdir -p "$work/peer/rootfs"
  start=$(now)
  skopeo copy --quiet --src-tls-verify=false "docker://$image" "oci:$work/peer/oci:latest"
  manifest=$(jq -r '.manifests[0].digest' "$work/peer/oci/index.json" | cut -d: -f2)
  for layer in $(jq -r '.layers[].digest' "$work/peer/oci/blobs/sha256/$manifest" \
      | cut -d: -f2); do
    tar -xzf "$work/peer/oci/blobs/sha256/$layer" -C "$work/peer/rootfs"
  done
  end=$(now)
  echo "$end - $start" | bc >>"$work/peer.times"
  echo "run $i: pier $(tail -1 "$work/pier.times") s, skopeo+tar $(tail -1 "$work/peer.times") s"
done

pier=$(median <"$work/pier.times")
peer=$(median <"$work/peer.times")
echo "median of $runs: pier $pier s, skopeo copy + tar unpack $peer s"
echo "ratio (skopeo+tar time / pier time): $(echo "scale=2; $peer / $pier" | bc)x"
grep 'pulled ' "$work/pierd.log" | tail -1
