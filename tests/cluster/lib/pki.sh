# The cluster's PKI, made fresh for every cluster with openssl: a CA, the apiserver's serving cert
# (service IP and kubernetes.default.svc names), the kubelet's serving cert, client certs for each
# component and the admin, a front-proxy CA, the service-account key pair, and kubeconfigs.
# Sourced by `up`; writes STATE/pki and STATE/kubeconfig.

make_pki() {
  local p=$STATE/pki days=3650 server=https://$NODE_IP:6443
  rm -rf "$p"; mkdir -p "$p"; (
  cd "$p"
  ca() { # ca NAME CN
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days $days -subj "/CN=$2" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out "$1.crt"
  }
  cert() { # cert NAME SUBJECT EKU SAN CA N (N: a number of its own, the end of its serial)
    local n=$1 ca=$5
    openssl ecparam -name prime256v1 -genkey -noout -out "$n.key"
    openssl req -new -key "$n.key" -subj "$2" -out "$n.csr"
    { echo "basicConstraints=critical,CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
      echo "extendedKeyUsage=$3"; [ -z "${4:-}" ] || echo "subjectAltName=$4"; } > "$n.ext"
    # a serial of its own (not -CAcreateserial: the certificates are signed side by side)
    openssl x509 -req -in "$n.csr" -CA "$ca.crt" -CAkey "$ca.key" -set_serial "$serial$6" -days $days -sha256 -extfile "$n.ext" -out "$n.crt" 2>/dev/null
    rm -f "$n.csr" "$n.ext"
  }
  # side by side (some 30 short openssl runs); `finish` waits for each, so any failure fails the PKI
  local pids=() serial; serial=$(date +%s)
  par() { "$@" & pids+=($!); }
  finish() { local pid; for pid in "${pids[@]}"; do wait "$pid"; done; pids=(); }
  par ca ca sigstore-up-test-ca
  # without a front-proxy CA, kcm and the scheduler log "missing content for CA bundle" twice a second
  par ca front-proxy-ca sigstore-up-test-front-proxy-ca
  # service-account token signing key (RS256)
  par sh -c 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key && openssl pkey -in sa.key -pubout -out sa.pub'
  finish
  par cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:10.96.0.1,IP:$NODE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost" ca 1
  par cert kubelet-serving "/CN=$NODE" serverAuth "IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE,DNS:localhost" ca 2
  par cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth "" ca 3
  par cert admin "/O=system:masters/CN=admin" clientAuth "" ca 4
  par cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth "" ca 5
  par cert kube-scheduler "/CN=system:kube-scheduler" clientAuth "" ca 6
  par cert kube-proxy "/CN=system:kube-proxy" clientAuth "" ca 7
  par cert kubelet "/O=system:nodes/CN=system:node:$NODE" clientAuth "" ca 8
  par cert front-proxy-client "/CN=front-proxy-client" clientAuth "" front-proxy-ca 9
  # CoreDNS, a node daemon: its user is bound to the system:coredns ClusterRole by etc/coredns.yaml
  par cert coredns "/CN=system:coredns" clientAuth "" ca 10
  finish
  kubeconfig() { # kubeconfig NAME USER
    cat > "$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: sigstore-up-test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$1.crt")
    client-key-data: $(base64 -w0 "$1.key")
contexts:
- name: sigstore-up-test
  context: {cluster: sigstore-up-test, user: $2}
current-context: sigstore-up-test
KC
  }
  kubeconfig admin admin
  kubeconfig kube-controller-manager system:kube-controller-manager
  kubeconfig kube-scheduler system:kube-scheduler
  kubeconfig kube-proxy system:kube-proxy
  kubeconfig kubelet "system:node:$NODE"
  kubeconfig coredns system:coredns
  chmod 600 ./*.key ./*.kubeconfig
  ) 2>"$STATE/logs/pki.log"
  cp "$p/admin.kubeconfig" "$STATE/kubeconfig"; chmod 600 "$STATE/kubeconfig"
}
