# Starting, finding and stopping the cluster's processes by the pids `up` records in STATE/pids.
# Sourced by up and down.

PIDS=$STATE/pids
LOGS=$STATE/logs
IN_NETNS="nsenter --net=/run/netns/$NETNS"
# the node mount namespace: held by a `sleep` (pid in PIDS/node-mounts.pid); containerd, the kubelet and
# kube-proxy run in it, so their mounts (tmpfs /run, overlays, pod volumes) never appear on the host
node_ns() { echo "nsenter --mount=/proc/$(cat "$PIDS/node-mounts.pid")/ns/mnt --net=/run/netns/$NETNS"; }

# the kernel truncates comm to 15 characters; a recorded pid counts only if it still runs that program
declare -A COMM=([etcd]=etcd [kube-apiserver]=kube-apiserver [kube-controller-manager]=kube-controller
  [kube-scheduler]=kube-scheduler [containerd]=containerd [kubelet]=kubelet [kube-proxy]=kube-proxy
  [coredns]=coredns [node-mounts]=sleep [containerd-import]=containerd)
DAEMONS=(etcd kube-apiserver kube-controller-manager kube-scheduler node-mounts containerd kubelet kube-proxy coredns)

# alive PID: exists and is not a zombie (PID 1 on these VMs reaps orphans only every few seconds)
alive() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; }
# running NAME: the recorded process of NAME is alive and is what we started
running() {
  local p; p=$(cat "$PIDS/$1.pid" 2>/dev/null) || return 1
  alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "${COMM[$1]}" ]
}

# detached CMD...: exec CMD in a session of its own with no descriptor of the caller but 0-2: a daemon
# must not hold, say, the lock file of a `flock LOCK tests/cluster/up` (locked until down, then)
detached() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-"; done
  exec setsid "$@"
}

# start NAME CMD...: run detached, stdin closed, output to LOGS/NAME.log, pid recorded
start() {
  local n=$1; shift
  (detached "$@") > "$LOGS/$n.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$n.pid"
}

# wait_for COMPONENT TIMEOUT_S CMD...: poll CMD every 0.1 s; on timeout name the component, show its log
wait_for() {
  local name=$1 timeout=$2; shift 2
  local end; end=$(echo "$(now) + $timeout" | bc)
  until "$@" > /dev/null 2>&1; do
    # alive, not running: just started, it may still be on its way through setsid/nsenter to the program
    if [ -f "$PIDS/$name.pid" ] && ! alive "$(cat "$PIDS/$name.pid")"; then
      say "$name exited during start-up"; tail_log "$LOGS/$name.log"; return 1
    fi
    if (( $(echo "$(now) > $end" | bc) )); then
      say "timed out after ${timeout} s waiting for $name"; tail_log "$LOGS/$name.log"; return 1
    fi
    sleep 0.1
  done
}

# stop NAME: SIGTERM, then SIGKILL after 15 s; forget the pid
stop() {
  local n=$1 p
  p=$(cat "$PIDS/$n.pid" 2>/dev/null) || return 0
  if running "$n"; then
    kill -TERM "$p" 2>/dev/null || true
    local i; for i in $(seq 150); do alive "$p" || break; sleep 0.1; done
    alive "$p" && { say "  $n did not stop on SIGTERM: SIGKILL"; kill -KILL "$p" 2>/dev/null || true; }
  fi
  rm -f "$PIDS/$n.pid"
}

# pods' processes live in the kubepods cgroups (their own mount namespaces, not the node's)
kubepods_pids() { find /sys/fs/cgroup/pids/kubepods -name cgroup.procs -exec cat {} + 2>/dev/null || true; }
