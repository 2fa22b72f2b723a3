#!/usr/bin/env bash
# Makes the base images the container tests need where no image registry is reachable, from Debian's
# packages (debootstrap + docker import), once:
#   local/jre17:bookworm   a JRE 17 (openjdk-17-jre-headless): the service image's base
#   local/redis:bookworm   redis-server: Redis for container tests
# Where a registry is reachable, eclipse-temurin:17-jre and redis:7 do the same job.
set -euo pipefail
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# The image's / must be world-readable: mktemp -d makes its directory 0700, the tar carries that mode to
# the image's /, and the service's user (uid 10001) then cannot reach /app (a later RUN chmod cannot mend
# /: layer tars skip it). An image made that way by an older version of this script is made again.
root_mode() {
  docker run --rm --network none --entrypoint stat "$1" -c %a / 2>/dev/null || echo unknown
}

make_image() {
  local tag="$1" package="$2" dir
  if docker image inspect "$tag" >/dev/null 2>&1; then
    if [ "$(root_mode "$tag")" = 755 ]; then
      echo "$tag: present"
      return
    fi
    echo "$tag: its / is not world-readable (made by an older version of this script): making it again"
    docker image rm -f "$tag" >/dev/null
  fi
  dir=$(mktemp -d)
  chmod 755 "$dir"
  debootstrap --variant=minbase --include="$package" bookworm "$dir" "$MIRROR" >/dev/null
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc "$dir"/usr/share/man
  tar -C "$dir" -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir"
  if [ "$(root_mode "$tag")" != 755 ]; then
    echo "$tag: its / is not world-readable after all" >&2
    return 1
  fi
  echo "$tag: made from Debian's $package"
}

make_image local/jre17:bookworm openjdk-17-jre-headless
make_image local/redis:bookworm redis-server
