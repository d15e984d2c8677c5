# Build the cluster's container images locally (no Docker, no registry), tagged with exactly the
# references the product's templates use (versions.env), as OCI tarballs in CACHE/images.
# Each image is rebuilt only when its cache key (recipe + inputs) changes. Sourced by `up`.
#
# Contracts kept from the upstream images of the same names:
#   mariadb, redis   Debian bookworm packages (MariaDB 10.11, Redis 7.0), our own entrypoints honouring the
#                    official images' environment (MARIADB_*/MYSQL_*), uid 999, data in /var/lib/mysql, /data
#   rekor, fulcio    ko-built upstream: /ko-app/<name> on a static base, user 65532
#   log_server, log_signer, ctfe   Trillian/CT images: /<binary> as entrypoint on a distroless-like base
#   pause            /pause
#   rekor-tiles/posix   as its Dockerfile.release on distroless static nonroot: /usr/local/bin/rekor-server, no
#                    entrypoint, CMD ["rekor-server","serve"], user 65532, workdir /home/nonroot
#   tesseract/posix  ko-built upstream (its release workflow publishes the image with ko): /ko-app/posix as
#                    entrypoint on a static base, user 65532
#   timestamp-server ko-built upstream: /ko-app/timestamp-server, user 65532
#   caddy            as the official image: /usr/bin/caddy, CMD caddy run --config /etc/caddy/Caddyfile,
#                    XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data, workdir /srv (no default Caddyfile here: the
#                    product always gives caddy its command)

IMAGE_RECIPE=$HARNESS_DIR/lib/build-images.sh
OCI=$HARNESS_DIR/lib/oci.py
ROOTFS=$CACHE/rootfs

# image_cached NAME KEY: true when CACHE/images/NAME.tar was built with KEY
image_cached() { [ -f "$IMAGES/$1.tar" ] && [ "$(cat "$IMAGES/$1.key" 2>/dev/null)" = "$2" ]; }
image_done() { echo "$2" > "$IMAGES/$1.key"; }

# image_config JSON-FIELDS...: an OCI image config section on stdout, e.g. image_config '"User":"65532"'
image_config() { local IFS=,; printf '{%s}\n' "$*"; }

# chroot_apt ROOT CMD...: run CMD in ROOT with /proc, /sys, /dev/pts, in a private mount namespace,
# with service starts denied
chroot_apt() {
  local r; r=$(readlink -f "$1"); shift
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  unshare --mount --propagation private -- /bin/bash -c '
    set -e; r=$1; shift
    mount -t proc proc "$r/proc"; mount -t sysfs sysfs "$r/sys"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
    exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root "$@"' _ "$r" "$@"
  rm -f "$r/usr/sbin/policy-rc.d"; : > "$r/etc/resolv.conf"
}

# slim ROOT: drop apt lists, caches, docs, man pages and locales; give it an /etc/hosts
slim() {
  local r=$1
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/cache/debconf/*-old "$r"/var/log/apt/* "$r"/var/log/dpkg.log
  find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* "$r"/usr/share/lintian
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
}

# Debian minbase + bookworm-updates/-security, upgraded and slimmed: the shared first layer of mariadb and redis
build_debian_base() {
  local mirror; mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | head -1)
  rm -rf "$ROOTFS/debian"; mkdir -p "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS/debian" "$mirror"
  rm -f "$ROOTFS/debian/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/debian.sources "$ROOTFS/debian/etc/apt/sources.list.d/debian.sources"
  chroot_apt "$ROOTFS/debian" /bin/bash -ec 'apt-get update -qq && apt-get -y -q upgrade'
  slim "$ROOTFS/debian"
}

# debian_app NAME UID PACKAGES SETUP: ROOTFS/NAME = debian base + a system user NAME (uid/gid UID, as the
# official image) + PACKAGES, then SETUP run in the chroot
debian_app() {
  local name=$1 uid=$2 packages=$3 setup=$4 r=$ROOTFS/$1
  rm -rf "$r"; cp -a "$ROOTFS/debian" "$r"
  chroot_apt "$r" /bin/bash -euc "
    groupadd --system --gid $uid $name
    useradd --system --uid $uid --gid $name --home-dir /nonexistent --shell /usr/sbin/nologin $name
    apt-get update -qq
    apt-get install -y -q --no-install-recommends $packages
    $setup"
  slim "$r"
}

build_mariadb_image() {
  local d=$HARNESS_DIR/lib/images/mariadb
  debian_app mysql 999 "mariadb-server tzdata" '
    usermod --home /var/lib/mysql mysql
    rm -rf /var/lib/mysql; mkdir -p /var/lib/mysql /run/mysqld /docker-entrypoint-initdb.d
    chown mysql:mysql /var/lib/mysql /run/mysqld; chmod 777 /run/mysqld
    find /etc/mysql/ -name "*.cnf" -print0 | xargs -0 grep -lZE "^(bind-address|log|user\s)" | xargs -r -0 sed -Ei "s/^(bind-address|log|user\s)/#&/"
    printf "[mariadb]\nhost-cache-size=0\nskip-name-resolve\n" > /etc/mysql/mariadb.conf.d/05-skipcache.cnf'
  install -m 0755 "$d/docker-entrypoint.sh" "$d/healthcheck.sh" "$ROOTFS/mysql/usr/local/bin/"
  ln -sf usr/local/bin/docker-entrypoint.sh "$ROOTFS/mysql/docker-entrypoint.sh"
  local version; version=$(chroot "$ROOTFS/mysql" dpkg-query -W -f '${Version}' mariadb-server)
  python3 "$OCI" layer "$ROOTFS/mysql" "$CACHE/layers/mariadb.tar" --base "$ROOTFS/debian"
  image_config '"Entrypoint":["docker-entrypoint.sh"]' '"Cmd":["mariadbd"]' '"ExposedPorts":{"3306/tcp":{}}' \
    '"Volumes":{"/var/lib/mysql":{}}' \
    "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"LANG=C.UTF-8\",\"MARIADB_VERSION=$version\"]" \
    > "$CACHE/layers/mariadb.json"
  python3 "$OCI" image --config "$CACHE/layers/mariadb.json" --layer "$CACHE/layers/debian.tar" \
    --layer "$CACHE/layers/mariadb.tar" --ref "$IMAGE_MARIADB" --out "$IMAGES/mariadb.tar"
}

build_redis_image() {
  debian_app redis 999 redis-server 'mkdir -p /data; chown redis:redis /data'
  install -m 0755 "$HARNESS_DIR/lib/images/redis/docker-entrypoint.sh" "$ROOTFS/redis/usr/local/bin/"
  local version; version=$(chroot "$ROOTFS/redis" dpkg-query -W -f '${Version}' redis-server)
  python3 "$OCI" layer "$ROOTFS/redis" "$CACHE/layers/redis.tar" --base "$ROOTFS/debian"
  image_config '"Entrypoint":["docker-entrypoint.sh"]' '"Cmd":["redis-server"]' '"ExposedPorts":{"6379/tcp":{}}' \
    '"Volumes":{"/data":{}}' '"WorkingDir":"/data"' \
    "\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"REDIS_VERSION=${version#*:}\"]" \
    > "$CACHE/layers/redis.json"
  python3 "$OCI" image --config "$CACHE/layers/redis.json" --layer "$CACHE/layers/debian.tar" \
    --layer "$CACHE/layers/redis.tar" --ref "$IMAGE_REDIS" --out "$IMAGES/redis.tar"
}

# The static base of ko and distroless images: passwd/group with nonroot 65532, Debian's CA bundle and
# tzdata, /tmp 1777, /etc/hosts. No shell, no libc (every server here is a static Go binary).
build_static_base() {
  local r=$ROOTFS/static x=$ROOTFS/static-debs
  rm -rf "$r" "$x"; mkdir -p "$r" "$x/debs"
  (cd "$x/debs" && apt-get download -q ca-certificates tzdata)
  local deb; for deb in "$x"/debs/*.deb; do dpkg-deb -x "$deb" "$x/tree"; done
  install -d -m 0755 "$r/etc/ssl/certs" "$r/usr/share" "$r/var" "$r/dev" "$r/proc" "$r/sys"
  install -d -m 0700 "$r/root"; install -d -m 1777 "$r/tmp"
  install -d -m 0755 -o 65532 -g 65532 "$r/home/nonroot"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$r/etc/group"
  printf 'hosts: files dns\n' > "$r/etc/nsswitch.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
  local c
  for c in $(cd "$x/tree/usr/share/ca-certificates" && ls mozilla/*.crt | LC_ALL=C sort); do
    sed -e '$a\' "$x/tree/usr/share/ca-certificates/$c"
  done > "$r/etc/ssl/certs/ca-certificates.crt"
  cp -a "$x/tree/usr/share/zoneinfo" "$r/usr/share/zoneinfo"
  chmod 0644 "$r"/etc/hosts "$r"/etc/passwd "$r"/etc/group "$r"/etc/nsswitch.conf "$r/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$x"
  python3 "$OCI" layer "$r" "$CACHE/layers/static.tar"
}

STATIC_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# static_image NAME REF BINARY PATH_IN_IMAGE CONFIG-FIELDS...: static base + one layer holding the binary,
# with the given image config (see image_config)
static_image() {
  local name=$1 ref=$2 binary=$3 dest=$4; shift 4
  python3 "$OCI" files "$CACHE/layers/$name.tar" "$(readlink -f "$BIN/$binary"):$dest:0555"
  image_config "$@" > "$CACHE/layers/$name.json"
  python3 "$OCI" image --config "$CACHE/layers/$name.json" --layer "$CACHE/layers/static.tar" \
    --layer "$CACHE/layers/$name.tar" --ref "$ref" --out "$IMAGES/$name.tar"
}

# go_image NAME REF BINARY PATH_IN_IMAGE USER: a ko-style (or distroless-with-entrypoint) image: PATH_IN_IMAGE
# is the entrypoint
go_image() {
  local name=$1 ref=$2 binary=$3 dest=$4 user=$5
  local path=$STATIC_PATH extra=''
  case $dest in /ko-app/*) path=$path:/ko-app; extra=',"KO_DATA_PATH=/var/run/ko"' ;; esac
  static_image "$name" "$ref" "$binary" "$dest" "\"Entrypoint\":[\"$dest\"]" "\"User\":\"$user\"" '"WorkingDir":"/"' \
    "\"Env\":[\"PATH=$path\",\"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\"$extra]"
}

build_pause_image() {
  python3 "$OCI" files "$CACHE/layers/pause.tar" "$(readlink -f "$BIN/pause"):/pause:0555"
  image_config '"Entrypoint":["/pause"]' '"User":"65535:65535"' > "$CACHE/layers/pause.json"
  python3 "$OCI" image --config "$CACHE/layers/pause.json" --layer "$CACHE/layers/pause.tar" --ref "$IMAGE_PAUSE" --out "$IMAGES/pause.tar"
}

# image NAME KEY CMD...: build one image with CMD unless it is cached with KEY
image() {
  local name=$1 key=$2; shift 2
  mkdir -p "$CACHE/layers" "$CACHE/logs" "$IMAGES"
  exec {lock}> "$IMAGES/.lock"; flock "$lock"   # one image builder at a time
  if ! image_cached "$name" "$key"; then
    ("$@") > "$CACHE/logs/image-$name.log" 2>&1 &   # background: keeps `set -e` in force inside
    if ! wait $!; then
      say "building image $name failed"; tail_log "$CACHE/logs/image-$name.log"; exec {lock}>&-; return 1
    fi
    image_done "$name" "$key"
  fi
  exec {lock}>&-
}

# image_step LABEL NAME KEY CMD...: `image` as one status line; NAME is one that build_images keeps
image_step() { KEPT_IMAGES+=("$2"); step "$1" image "${@:2}"; }

# prune_images: delete the images (and their layers) this recipe no longer builds: up imports every
# CACHE/images/*.tar into the image store, and their keys are part of the store's key
prune_images() {
  local k n
  for k in "$IMAGES"/*.key; do
    [ -e "$k" ] || continue
    n=$(basename "$k" .key)
    [[ " ${KEPT_IMAGES[*]} " == *" $n "* ]] && continue
    rm -f "$IMAGES/$n.tar" "$k" "$CACHE/layers/$n.tar" "$CACHE/layers/$n.json"; say "  removed image $n (no longer built)"
  done
}

# the key of a Go image: the recipe, its reference, and the binary's build, named by its store dir (which
# carries the build's key; hashing the binaries themselves cost seconds at every up)
go_key() { local b; b=$(readlink -f "$BIN/$2"); key_of "$IMAGE_RECIPE" "$1" "build ${b#"$CACHE/store/"}"; }

build_images() {
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install -y debootstrap)"
  local debian_key static_key
  KEPT_IMAGES=()
  debian_key=$(key_of "$IMAGE_RECIPE" "$OCI" /etc/apt/sources.list.d/debian.sources)
  static_key=$(key_of "$IMAGE_RECIPE" "$OCI")
  image_step "image layer: debian base" debian-base "$debian_key" \
    sh_build_debian_layer
  image_step "image: mariadb" mariadb "$(key_of "$debian_key" "$IMAGE_MARIADB" "$HARNESS_DIR"/lib/images/mariadb/*)" build_mariadb_image
  image_step "image: redis" redis "$(key_of "$debian_key" "$IMAGE_REDIS" "$HARNESS_DIR"/lib/images/redis/*)" build_redis_image
  image_step "image layer: static base" static-base "$static_key" sh_build_static_layer
  image_step "image: pause" pause "$(go_key "$IMAGE_PAUSE" pause)" build_pause_image
  image_step "image: proof http" proofhttp "$(go_key "$IMAGE_PROOF_HTTP" proofhttp)" \
    go_image proofhttp "$IMAGE_PROOF_HTTP" proofhttp /proofhttp 65532:65532
  image_step "image: trillian log server" log_server "$(go_key "$IMAGE_TRILLIAN_LOG_SERVER" trillian_log_server)" \
    go_image log_server "$IMAGE_TRILLIAN_LOG_SERVER" trillian_log_server /trillian_log_server ""
  image_step "image: trillian log signer" log_signer "$(go_key "$IMAGE_TRILLIAN_LOG_SIGNER" trillian_log_signer)" \
    go_image log_signer "$IMAGE_TRILLIAN_LOG_SIGNER" trillian_log_signer /trillian_log_signer ""
  image_step "image: ctfe" ctfe "$(go_key "$IMAGE_CTLOG" ct_server)" go_image ctfe "$IMAGE_CTLOG" ct_server /ct_server ""
  image_step "image: rekor-server" rekor "$(go_key "$IMAGE_REKOR" rekor-server)" \
    go_image rekor "$IMAGE_REKOR" rekor-server /ko-app/rekor-server 65532
  image_step "image: fulcio" fulcio "$(go_key "$IMAGE_FULCIO" fulcio)" go_image fulcio "$IMAGE_FULCIO" fulcio /ko-app/fulcio 65532
  image_step "image: rekor-tiles (posix)" rekor_tiles "$(go_key "$IMAGE_REKOR_TILES" rekor-server-posix)" \
    static_image rekor_tiles "$IMAGE_REKOR_TILES" rekor-server-posix /usr/local/bin/rekor-server \
    '"Cmd":["rekor-server","serve"]' '"User":"65532"' '"WorkingDir":"/home/nonroot"' \
    "\"Env\":[\"PATH=$STATIC_PATH\",\"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\"]"
  image_step "image: tesseract (posix)" tesseract "$(go_key "$IMAGE_TESSERACT" tesseract-posix)" \
    go_image tesseract "$IMAGE_TESSERACT" tesseract-posix /ko-app/posix 65532
  image_step "image: timestamp-server" tsa "$(go_key "$IMAGE_TSA" timestamp-server)" \
    go_image tsa "$IMAGE_TSA" timestamp-server /ko-app/timestamp-server 65532
  image_step "image: caddy" caddy "$(go_key "$IMAGE_CADDY" caddy)" \
    static_image caddy "$IMAGE_CADDY" caddy /usr/bin/caddy \
    '"Cmd":["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"]' '"WorkingDir":"/srv"' \
    '"ExposedPorts":{"80/tcp":{},"443/tcp":{},"2019/tcp":{}}' \
    "\"Env\":[\"PATH=$STATIC_PATH\",\"XDG_CONFIG_HOME=/config\",\"XDG_DATA_HOME=/data\"]"
  prune_images
}

# the base layers are "images" without a tarball of their own: the marker file stands in for it
sh_build_debian_layer() { build_debian_base && python3 "$OCI" layer "$ROOTFS/debian" "$CACHE/layers/debian.tar" && touch "$IMAGES/debian-base.tar"; }
sh_build_static_layer() { build_static_base && touch "$IMAGES/static-base.tar"; }
