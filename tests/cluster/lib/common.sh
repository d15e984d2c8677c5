# Shared by up, down, build and the proof: paths, versions, step timing, log tails.
# Sourced, never run. Everything the harness makes lives in two places:
#   CACHE  built binaries, images and Go caches, keyed by version + recipe (kept by `down`)
#   STATE  one running cluster: pids, logs, PKI, kubeconfig, etcd and containerd data (wiped by `up`)
set -euo pipefail
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../versions.env
source "$HARNESS_DIR/versions.env"
CACHE=${SIGSTORE_UP_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sigstore-up-test}
STATE=${SIGSTORE_UP_TEST_STATE:-/var/tmp/sigstore-up-test}
BIN=$CACHE/bin
IMAGES=$CACHE/images
export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build GOFLAGS=-buildvcs=false CGO_ENABLED=0
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
# our binaries first (this machine's /usr/bin/kubectl is an old v1.32); keep the caller's PATH (cargo, go)
export PATH=$BIN:$PATH:/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin

NETNS=sigstore-up-test
NODE=sut-node
NODE_IP=10.250.7.2
HOST_IP=10.250.7.1
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
CLUSTER_DNS=10.96.0.10
COREDNS_READY_PORT=8181   # CoreDNS's readiness endpoint, on the namespace's loopback

now() { date +%s.%N; }
elapsed() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }
say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run one step, print "✓ NAME  1.23 s" (or the failure and its log tail)
STEP_LOG=${STEP_LOG:-/dev/null}
step() {
  local name=$1 t0 rc=0; shift
  t0=$(now)
  # run in the background and wait: `set -e` stays in force inside the step (an `if` condition would
  # switch it off for everything the step calls)
  ("$@") & wait $! || rc=$?
  if [ $rc = 0 ]; then
    printf '  ✓ %-36s %7s s\n' "$name" "$(elapsed "$t0")" | tee -a "$STEP_LOG" >&2
  else
    printf '  ✗ %-36s %7s s (exit %d)\n' "$name" "$(elapsed "$t0")" "$rc" | tee -a "$STEP_LOG" >&2
    return "$rc"
  fi
}

# tail_log FILE: the last lines of a component's log, indented, for a failure message
tail_log() { [ -f "$1" ] && { say "--- last lines of $1:"; tail -n 25 "$1" | sed 's/^/    /' >&2; }; return 0; }

# key_of PARTS...: a short hash of strings and of files' contents (not their paths: any checkout of
# the same recipe finds the same cache entries), used as a cache key
key_of() { { for p in "$@"; do if [ -f "$p" ]; then sha256sum < "$p"; else echo "$p"; fi; done; } | sha256sum | cut -c1-16; }
