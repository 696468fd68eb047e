#!/usr/bin/env bash
# `make image`: builds the MUSCode container image on this machine with no registry and no image
# pull. The base layer is a Debian root filesystem made by mmdebstrap from Debian's own packages
# (the same list the Makefile installs on a host); the app layer is this checkout, built by
# `make`, with production node_modules and the host's Node 20 binary (Debian 12 ships Node 18).
# podman imports the root filesystem and builds deploy/image/Containerfile (COPY only: no RUN,
# so building needs no container runtime).
#
# The root filesystem is cached in build/image/ under a name that hashes its package list:
# rebuilding the app layer after a code change takes seconds, the first build a few minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
TAG="${IMAGE_TAG:-localhost/muscode:latest}"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Toolchains (as in the Makefile's APT_PACKAGES, without chromium: the browser is for tests) and
# what the image itself needs (bash for bin/muscode, CA certificates, tini as pid 1).
PACKAGES="bubblewrap gcc g++ libc6-dev make python3 openjdk-17-jdk-headless php-cli golang-go rustc ruby perl gawk tcl8.6 iproute2 util-linux xz-utils zip ca-certificates tini passwd"

need() { command -v "$1" >/dev/null || { echo "make image: $1 is missing (apt-get install -y --no-install-recommends $2)" >&2; exit 1; }; }
need mmdebstrap mmdebstrap
need podman podman

mkdir -p build/image
key=$(printf '%s %s %s' "$SUITE" "$PACKAGES" "$(uname -m)" | sha256sum | cut -c1-12)
rootfs="build/image/rootfs-$key.tar"
base="localhost/muscode-base:$key"
if [ ! -s "$rootfs" ]; then
  echo "make image: building the Debian root filesystem ($rootfs, a few minutes the first time)"
  # The service user (uid 999 by useradd --system) and the data directory exist in the image.
  mmdebstrap --variant=minbase --include="$(echo $PACKAGES | tr ' ' ',')" \
    --customize-hook='chroot "$1" useradd --system --no-create-home --shell /usr/sbin/nologin muscode' \
    --customize-hook='mkdir -p "$1/var/lib/muscode" "$1/opt/muscode"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
    --format=tar "$SUITE" "$rootfs.part" "$MIRROR"
  mv "$rootfs.part" "$rootfs"
fi
if ! podman image exists "$base"; then
  podman import --quiet "$rootfs" "$base" >/dev/null
fi

# The app layer: what `make` built, staged so the image holds no sources it does not run.
make --no-print-directory native ts web >/dev/null
stage=build/image/stage
rm -rf "$stage" && mkdir -p "$stage/opt/muscode" "$stage/usr/bin"
cp -a bin dist package.json package-lock.json problems "$stage/opt/muscode/"
mkdir -p "$stage/opt/muscode/build" "$stage/opt/muscode/src/db" "$stage/opt/muscode/web"
cp -a build/muscode-sandbox "$stage/opt/muscode/build/"
cp -a src/db/migrations "$stage/opt/muscode/src/db/"
cp -a web/dist "$stage/opt/muscode/web/"
# Hard links from the checkout's node_modules, then dev dependencies pruned (offline).
cp -al node_modules "$stage/opt/muscode/node_modules"
(cd "$stage/opt/muscode" && npm prune --omit=dev --offline --no-audit --no-fund >/dev/null 2>&1) || \
  echo "make image: npm prune failed; the image keeps the dev dependencies" >&2
# The TypeScript language runs the TypeScript compiler and @types/node from node_modules (a dev
# dependency of the project, a runtime one of the engine): put them back.
for p in typescript @typescript @types undici-types; do
  [ -e "node_modules/$p" ] && [ ! -e "$stage/opt/muscode/node_modules/$p" ] && cp -al "node_modules/$p" "$stage/opt/muscode/node_modules/$p"
done
cp -L "$(command -v node)" "$stage/usr/bin/node"
cp deploy/image/seccomp.json deploy/image/entrypoint.sh "$stage/opt/muscode/"

podman build --quiet --build-arg BASE="$base" -f deploy/image/Containerfile -t "$TAG" "$stage" >/dev/null
echo "make image: $TAG ($(podman image inspect "$TAG" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
