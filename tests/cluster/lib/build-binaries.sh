# Build every binary the test cluster runs, from the Go module proxy, into CACHE.
# Each group is built once per cache key (its versions + this file) into CACHE/store/<group>-<key>,
# then linked into CACHE/bin. A second run builds nothing. Sourced by `up` (after common.sh).

BUILD_RECIPE=$HARNESS_DIR/lib/build-binaries.sh

# built GROUP KEY FN: run FN OUT_DIR unless CACHE/store/GROUP-KEY is complete; link its files into BIN
built() {
  local group=$1 key=$2 fn=$3
  local out=$CACHE/store/$group-$key
  mkdir -p "$CACHE/store"
  # one builder per group at a time (two `up`s, or `build` beside `up`): the second waits, then finds it built
  exec {lock}> "$CACHE/store/$group.lock"; flock "$lock"
  if [ ! -f "$out/.complete" ]; then
    rm -rf "$out"; mkdir -p "$out" "$CACHE/logs"
    # in the background so that `set -e` holds inside the build (it is ignored in an `if` condition)
    ("$fn" "$out") > "$CACHE/logs/build-$group.log" 2>&1 &
    if ! wait $!; then
      say "building $group failed"; tail_log "$CACHE/logs/build-$group.log"; exec {lock}>&-; return 1
    fi
    touch "$out/.complete"
    # builds of this group under older keys are dead weight now
    local old; for old in "$CACHE/store/$group"-*; do [ "$old" = "$out" ] || [ ! -d "$old" ] || rm -rf "$old"; done
  fi
  exec {lock}>&-
  mkdir -p "$BIN"
  local f; for f in "$out"/*; do ln -sfn "$f" "$BIN/$(basename "$f")"; done
}

check_go() {
  command -v go >/dev/null || die "go is not installed (need Go >= $GO_VERSION_REQUIRED)"
  local v; v=$(go env GOVERSION); v=${v#go}
  [ "$(printf '%s\n%s\n' "$GO_VERSION_REQUIRED" "$v" | sort -V | head -1)" = "$GO_VERSION_REQUIRED" ] \
    || die "Go $v is too old: Kubernetes $KUBERNETES_VERSION, etcd and CoreDNS need Go >= $GO_VERSION_REQUIRED"
}

# k8s.io/kubernetes replaces its staging modules with ./staging paths, so it cannot be `go install`ed:
# a wrapper module requires it and maps each staging module to its published v0.X.Y version.
build_kubernetes() {
  local out=$1 w=$CACHE/src/k8s-$KUBERNETES_VERSION staging=v0.${KUBERNETES_VERSION#v1.}
  mkdir -p "$w"; cd "$w"
  local upstream_mod
  upstream_mod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  {
    printf 'module sigstore-up.test/k8swrapper\n\ngo 1.25.0\n\n'
    printf '// k8s.io/kubernetes sets this in its go.mod; a dependency'"'"'s godebug line is ignored, so repeat it\n'
    printf 'godebug default=go1.24\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$KUBERNETES_VERSION"
    grep -E '^\s*k8s\.io/[^ ]+ => \./staging/src/k8s\.io/' "$upstream_mod" | awk -v s="$staging" '{printf "\t%s => %s %s\n", $1, $1, s}'
    printf ')\n'
  } > go.mod
  printf '//go:build tools\n\npackage tools\n\nimport (\n' > tools.go
  local c; for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c" >> tools.go
  done
  printf ')\n' >> tools.go
  go mod tidy
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local ldf="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ldf+=" -X $p.gitCommit=$KUBERNETES_COMMIT -X $p.buildDate=$KUBERNETES_BUILD_DATE"
  done
  go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags="all=$ldf" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
}

# etcd's root module has replace directives too: a wrapper with a one-line main per binary.
build_etcd() {
  local out=$1 w=$CACHE/src/etcd-$ETCD_VERSION
  mkdir -p "$w/cmd/etcd" "$w/cmd/etcdctl"; cd "$w"
  printf 'module sigstore-up.test/etcdwrapper\n\ngo 1.26.0\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 %s\n\tgo.etcd.io/etcd/etcdctl/v3 %s\n)\n' \
    "$ETCD_VERSION" "$ETCD_VERSION" > go.mod
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > cmd/etcd/main.go
  printf 'package main\n\nimport "go.etcd.io/etcd/etcdctl/v3/ctlv3"\n\nfunc main() { ctlv3.MustStart() }\n' > cmd/etcdctl/main.go
  go mod tidy
  go build -trimpath -ldflags="-s -w" -o "$out/" ./cmd/etcd ./cmd/etcdctl
}

goinstall() { # goinstall OUT PKG@VERSION [ldflags]
  GOBIN=$1 go install -trimpath -ldflags="-s -w ${3:-}" "$2"
}
build_coredns() { goinstall "$1" "github.com/coredns/coredns@$COREDNS_VERSION" "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"; }
build_trillian() {
  goinstall "$1" "github.com/google/trillian/cmd/trillian_log_server@$TRILLIAN_VERSION"
  goinstall "$1" "github.com/google/trillian/cmd/trillian_log_signer@$TRILLIAN_VERSION"
}
build_ctlog() { goinstall "$1" "github.com/google/certificate-transparency-go/trillian/ctfe/ct_server@$CTGO_VERSION"; }
build_rekor() {
  goinstall "$1" "github.com/sigstore/rekor/cmd/rekor-server@$REKOR_VERSION" \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$REKOR_VERSION"
}
build_fulcio() {
  goinstall "$1" "github.com/sigstore/fulcio@$FULCIO_VERSION" "-X sigs.k8s.io/release-utils/version.gitVersion=$FULCIO_VERSION"
}
build_cosign() {
  local major=${COSIGN_VERSION%%.*}
  goinstall "$1" "github.com/sigstore/cosign/$major/cmd/cosign@$COSIGN_VERSION" "-X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
}
# The modern profile's servers. Both logs' commands are packages named `posix`: each is installed into a
# GOBIN of its own and renamed, since BIN links every group's files by name.
build_rekortiles() {
  local out=$1
  goinstall "$out/gobin" "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@$REKOR_TILES_VERSION" \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$REKOR_TILES_VERSION"
  mv "$out/gobin/posix" "$out/rekor-server-posix"; rmdir "$out/gobin"
}
build_tesseract() {
  local out=$1
  goinstall "$out/gobin" "github.com/transparency-dev/tesseract/cmd/tesseract/posix@$TESSERACT_VERSION"
  mv "$out/gobin/posix" "$out/tesseract-posix"; rmdir "$out/gobin"
}
build_tsa() {
  goinstall "$1" "github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server@$TSA_VERSION" \
    "-X sigs.k8s.io/release-utils/version.gitVersion=$TSA_VERSION"
}
# Caddy: the static file server beside the tile logs (their read path) and of the TUF repository
build_caddy() {
  goinstall "$1" "github.com/caddyserver/caddy/v2/cmd/caddy@$CADDY_VERSION"
}
# our own tiny programs: the pause container and the proof's HTTP server
build_local() {
  local out=$1; cd "$HARNESS_DIR/src"
  go build -trimpath -ldflags="-s -w" -o "$out/" ./pause ./proofhttp
}

# build_binaries [GROUP...]: build the named groups (default: all), one status line each
build_binaries() {
  check_go
  local groups=("$@")
  [ ${#groups[@]} -gt 0 ] || groups=(local kubernetes etcd coredns trillian ctlog rekor fulcio cosign \
    rekortiles tesseract tsa caddy)
  local g key
  for g in "${groups[@]}"; do
    case $g in
      local) key=$(key_of "$BUILD_RECIPE" "$HARNESS_DIR"/src/go.mod "$HARNESS_DIR"/src/*/*.go) ;;
      kubernetes) key=$(key_of "$BUILD_RECIPE" "$KUBERNETES_VERSION" "$KUBERNETES_COMMIT") ;;
      etcd) key=$(key_of "$BUILD_RECIPE" "$ETCD_VERSION") ;;
      coredns) key=$(key_of "$BUILD_RECIPE" "$COREDNS_VERSION") ;;
      trillian) key=$(key_of "$BUILD_RECIPE" "$TRILLIAN_VERSION") ;;
      ctlog) key=$(key_of "$BUILD_RECIPE" "$CTGO_VERSION") ;;
      rekor) key=$(key_of "$BUILD_RECIPE" "$REKOR_VERSION") ;;
      fulcio) key=$(key_of "$BUILD_RECIPE" "$FULCIO_VERSION") ;;
      cosign) key=$(key_of "$BUILD_RECIPE" "$COSIGN_VERSION") ;;
      rekortiles) key=$(key_of "$BUILD_RECIPE" "$REKOR_TILES_VERSION") ;;
      tesseract) key=$(key_of "$BUILD_RECIPE" "$TESSERACT_VERSION") ;;
      tsa) key=$(key_of "$BUILD_RECIPE" "$TSA_VERSION") ;;
      caddy) key=$(key_of "$BUILD_RECIPE" "$CADDY_VERSION") ;;
      *) die "unknown build group $g" ;;
    esac
    step "binaries: $g" built "$g" "$key" "build_$g"
  done
}
