#!/usr/bin/env bash
# Makes the base images the container tests need where no image registry is reachable, from Debian's
# packages (debootstrap + docker import), once:
#   local/jre17:bookworm   a JRE 17 (openjdk-17-jre-headless): the service image's base
#   local/redis:bookworm   redis-server: Redis for container tests
# Where a registry is reachable, eclipse-temurin:17-jre and redis:7 do the same job.
set -euo pipefail
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

make_image() {
  local tag="$1" package="$2" dir
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "$tag: present"
    return
  fi
  dir=$(mktemp -d)
  debootstrap --variant=minbase --include="$package" bookworm "$dir" "$MIRROR" >/dev/null
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc "$dir"/usr/share/man
  tar -C "$dir" -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir"
  echo "$tag: made from Debian's $package"
}

make_image local/jre17:bookworm openjdk-17-jre-headless
make_image local/redis:bookworm redis-server
