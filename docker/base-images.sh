#!/usr/bin/env bash
# Makes the base images the container tests need where no image registry is reachable, from Debian's
# packages (debootstrap + docker import), once:
#   local/os:bookworm      Debian's minimal base and libargon2-1, without translations, iconv modules and docs: what
#                          the service image takes its few OS files from (docker/minimal-os.sh;
#                          debian:bookworm-slim does the same job)
#   local/jdk17:bookworm   a JDK 17 with its jmods (openjdk-17-jdk-headless): jlink makes the service
#                          image's Java runtime with it (eclipse-temurin:17-jdk)
#   local/jre17:bookworm   a JRE 17 (openjdk-17-jre-headless): the application beside the authority in
#                          the sidecar test (eclipse-temurin:17-jre)
#   local/redis:bookworm   redis-server: Redis for container tests (redis:7)
#
# SESSION_AUTHORITY_REMAKE_BASE_IMAGES=true makes them again even where they exist: the path a fresh
# machine takes, which .ci/run takes on every run.
set -euo pipefail
REMAKE="${SESSION_AUTHORITY_REMAKE_BASE_IMAGES:-false}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# The image's / must be world-readable: mktemp -d makes its directory 0700, the tar carries that mode to
# the image's /, and the service's user (uid 10001) then cannot reach /app (a later RUN chmod cannot mend
# /: layer tars skip it). An image made that way by an older version of this script is made again.
root_mode() {
  docker run --rm --network none --entrypoint stat "$1" -c %a / 2>/dev/null || echo unknown
}

make_image() {
  local tag="$1" package="$2" dir include=()
  [ -z "$package" ] || include=(--include="$package")
  if [ "$REMAKE" = true ] && docker image inspect "$tag" >/dev/null 2>&1; then
    echo "$tag: made again (SESSION_AUTHORITY_REMAKE_BASE_IMAGES)"
    docker image rm -f "$tag" >/dev/null
  fi
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
  debootstrap --variant=minbase "${include[@]}" bookworm "$dir" "$MIRROR" >/dev/null
  # The copyright files stay: the service image carries those of the packages it takes files from.
  find "$dir"/usr/share/doc -type f ! -name copyright -delete
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/man \
    "$dir"/usr/share/info
  if [ "$tag" = local/os:bookworm ]; then
    # The service's OS source: nothing reads translations (33 MB) or glibc's iconv modules (8 MB);
    # a JVM carries its own character sets and time zones.
    rm -rf "$dir"/usr/share/locale/* "$dir"/usr/lib/x86_64-linux-gnu/gconv "$dir"/usr/share/zoneinfo
  fi
  tar -C "$dir" -c . | docker import - "$tag" >/dev/null
  rm -rf "$dir"
  if [ "$(root_mode "$tag")" != 755 ]; then
    echo "$tag: its / is not world-readable after all" >&2
    return 1
  fi
  echo "$tag: made from Debian's ${package:-minimal base}"
}

# libargon2-1: the service checks imported Argon2id hashes with it (user.NativeArgon2).
make_image local/os:bookworm libargon2-1
make_image local/jdk17:bookworm openjdk-17-jdk-headless
make_image local/jre17:bookworm openjdk-17-jre-headless
make_image local/redis:bookworm redis-server
