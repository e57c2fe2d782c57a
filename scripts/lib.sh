# Shared by Pier's scripts: where things are, which Java, and how to fail.
repo=$(cd "$(dirname "$0")/.." && pwd)

# The cri-tools release whose crictl the tests and the README use (CRI API of Kubernetes 1.36).
CRI_TOOLS_VERSION=v1.36.0

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

need_root() {
  [ "$(id -u)" = 0 ] || die "run as root (it installs packages and serves a root-owned socket)"
}

# Pier needs Java 25: JAVA_HOME if it is 25, else a JDK 25 under /usr/lib/jvm.
select_java() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    return
  fi
  for jdk in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-*; do
    if [ -x "$jdk/bin/javac" ]; then
      JAVA_HOME=$jdk
      export JAVA_HOME
      return
    fi
  done
  die "no Java 25 JDK found; install one (e.g. Temurin 25) or set JAVA_HOME to it"
}

# Whether a CNI configuration directory holds a network (*.conf, *.conflist or *.json).
has_cni_network() {
  for file in "$1"/*.conf "$1"/*.conflist "$1"/*.json; do
    [ -f "$file" ] && return 0
  done
  return 1
}
