#!/bin/sh
# Builds piermon's AOT cache (lib/piermon.aot) from one training run through the start path:
# flag parsing, native calls, runtime spawn, log, attach socket, fifos, exit files.
# Usage: train.sh JAVA DIST_DIR WORK_DIR
set -e
java=$1 dist=$2 work=$3
rm -rf "$work" && mkdir -p "$work/bundle" "$work/exits" "$work/sockets" "$work/persist"
cp "$(dirname "$0")/fake-runtime" "$work/runtime" && chmod +x "$work/runtime"
PIER_JAVA=$java PIERMON_AOT_OUTPUT=$dist/lib/piermon.aot "$dist/bin/piermon" --sync \
  --api-version 1 -c train -u train -n train -r "$work/runtime" -b "$work/bundle" \
  -p "$work/pid" -P "$work/monitor.pid" -l "k8s-file:$work/ctr.log" --exit-dir "$work/exits" \
  -0 "$work/persist" --socket-dir-path "$work/sockets" --log-size-max 1000000 \
  --exit-command /bin/true --exit-command-arg done
test -s "$work/exits/train"
