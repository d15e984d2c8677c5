# Configuration files of the node components, written into STATE/etc by `up` (paths depend on STATE).

write_node_config() {
  local e=$STATE/etc
  mkdir -p "$e/cni"
  cat > "$e/containerd.toml" <<TOML
version = 2
root = "$STATE/containerd"
state = "/run/sut/containerd"
oom_score = 0
[grpc]
  address = "/run/sut/containerd.sock"
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$IMAGE_PAUSE"
    disable_apparmor = true
    # this VM has no CAP_SYS_RESOURCE: lowering a sandbox's oom_score_adj fails, so clamp to containerd's own
    restrict_oom_score_adj = true
    tolerate_missing_hugetlb_controller = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$e/cni"
      max_conf_num = 1
    [plugins."io.containerd.grpc.v1.cri".registry]
      # nothing is ever pulled: every image is imported by up
      config_path = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd-opt"
TOML
  cat > "$e/cni/10-sut-bridge.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "sut",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "/run/sut/cni-ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
  # the kubelet's resolv.conf for dnsPolicy: Default pods: nothing outside the namespace is ever asked
  echo "nameserver 127.0.0.1" > "$e/resolv.conf"
  cat > "$e/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix:///run/sut/containerd.sock
# cgroup v1 host: cgroupfs driver, and 1.34 still runs on v1 when told so (1.35 refuses by default)
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
oomScoreAdj: 0
maxOpenFiles: 20000
# only CHECK the kernel sysctls; up binds files with the wanted values over them in the node mount
# namespace, so the host's values are never touched (without the binds the kubelet refuses to start)
protectKernelDefaults: true
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true, cacheTTL: 30s}
  x509: {clientCAFile: $STATE/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $STATE/pki/kubelet-serving.crt
tlsPrivateKeyFile: $STATE/pki/kubelet-serving.key
rotateCertificates: false
serverTLSBootstrap: false
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
clusterDomain: cluster.local
clusterDNS: [$CLUSTER_DNS]
resolvConf: $e/resolv.conf
podLogsDir: $STATE/pod-logs
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%, imagefs.inodesFree: 1%}
serializeImagePulls: false
maxPods: 60
cgroupsPerQOS: true
enforceNodeAllocatable: [pods]
registerNode: true
YAML
  # CoreDNS, a node daemon in the network namespace (etc/coredns.yaml says why): :53 on every address
  # there (the kube-dns Service's endpoint is the node IP), readiness on loopback only, no health or
  # metrics listener. No forward plugin: nothing outside the cluster is ever queried; other zones get
  # SERVFAIL/REFUSED. No cache plugin and ttl 5: tests delete/recreate Services with the same name;
  # "cache 30" served the old ClusterIP for up to 30 s after a recreate.
  cat > "$e/Corefile" <<COREFILE
.:53 {
    errors
    ready 127.0.0.1:$COREDNS_READY_PORT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $STATE/pki/coredns.kubeconfig
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    loadbalance
}
COREFILE
  cat > "$e/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/pki/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [primary]
oomScoreAdj: 0
conntrack: {maxPerCore: 0, min: 0}
iptables: {masqueradeAll: false, syncPeriod: 30s, minSyncPeriod: 1s}
YAML
}
