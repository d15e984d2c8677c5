# The API server's start, shared by up (its phase "kube-apiserver") and restart-apiserver (the tests'
# fault: the same server, same flags, same etcd, stopped and started again). Sourced, never run; needs
# common.sh and daemons.sh.

# --service-account-jwks-uri: the discovery document puts the keys on the issuer's host (the default is
# https://NODE_IP:6443/openid/v1/jwks), so Fulcio reads them with its own service-account token; there is no
# anonymous access to discovery (README: "Fulcio and the cluster's OIDC discovery")
# --shutdown-watch-termination-grace-period: on SIGTERM the server ends its open watches within 2 s and
# exits; without it, it stopped listening at once but then waited on the watches of the kubelet, the
# controllers and the tests until `stop` gave up after 15 s and killed it (every `down` and every
# graceful restart of the tests paid that; measured: 15.7 s -> 1.2 s)
phase_apiserver() {
  local p=$STATE/pki
  start kube-apiserver $IN_NETNS "$BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port=6443 \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
    --client-ca-file="$p/ca.crt" --tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key" \
    --kubelet-client-certificate="$p/apiserver-kubelet-client.crt" --kubelet-client-key="$p/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$p/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-jwks-uri=https://kubernetes.default.svc.cluster.local/openid/v1/jwks \
    --service-account-key-file="$p/sa.pub" --service-account-signing-key-file="$p/sa.key" \
    --api-audiences=https://kubernetes.default.svc.cluster.local \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --anonymous-auth=true --allow-privileged=true --profiling=false --shutdown-watch-termination-grace-period=2s \
    --requestheader-client-ca-file="$p/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$p/front-proxy-client.crt" --proxy-client-key-file="$p/front-proxy-client.key" --v=1
  wait_for kube-apiserver 90 $IN_NETNS curl -sfk "https://$NODE_IP:6443/readyz"
}
