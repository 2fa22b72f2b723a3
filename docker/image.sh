#!/usr/bin/env bash
# Builds the container image from jars built on this machine (no Maven inside the image build), with
# a class-data-sharing archive of the JDK's and the dependencies' classes, trained on a real start of
# the service:
#
#   docker/image.sh [tag]
#
# on a Java runtime made with jlink from JDK_IMAGE (or SESSION_AUTHORITY_JDK_IMAGE; a JDK 17 with its
# jmods, eclipse-temurin:17-jdk by default) over OS_IMAGE (or SESSION_AUTHORITY_OS_IMAGE; a glibc
# Linux with bash, ldd, dpkg and chrt, debian:bookworm-slim by default; docker/minimal-os.sh takes
# what the image needs from it).
#
# The class list comes from starting the service once against a throw-away redis-server (skipped
# where there is no redis-server: the archive then holds the JDK's classes only).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG="${1:-session-authority:latest}"
JDK_IMAGE="${JDK_IMAGE:-${SESSION_AUTHORITY_JDK_IMAGE:-eclipse-temurin:17-jdk}}"
OS_IMAGE="${OS_IMAGE:-${SESSION_AUTHORITY_OS_IMAGE:-debian:bookworm-slim}}"
IMAGE_DIR=service/target/image

if [ ! -f "$IMAGE_DIR/lib/third-party.jar" ] || [ ! -d "$IMAGE_DIR/app" ]; then
  ./mvnw -q -B -DskipTests -pl service -am package
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

: > "$IMAGE_DIR/classes.lst"
if command -v redis-server >/dev/null 2>&1; then
  redis_port=$(free_port); grpc_port=$(free_port); management_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
  redis_pid=$!
  REDIS_URI="redis://127.0.0.1:$redis_port" GRPC_SERVER_PORT="$grpc_port" MANAGEMENT_PORT="$management_port" \
    java -XX:DumpLoadedClassList="$IMAGE_DIR/classes.lst" -cp "$IMAGE_DIR/lib/*:$IMAGE_DIR/app/*" \
    io.sessionauthority.service.Application > "$IMAGE_DIR/training.log" 2>&1 &
  service_pid=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$management_port/health/readiness" && break
    sleep 0.1
  done
  curl -sf -o /dev/null "http://127.0.0.1:$management_port/prometheus" || true
  kill -TERM "$service_pid"; wait "$service_pid" || true
  kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
  # The archive holds the JDK's and the dependencies' classes only, in a stable order (see the Dockerfile);
  # not JNA's (61 classes, ~0.5 MB of archive for the few milliseconds of one load at start).
  grep -v -e '^#' -e '^io/sessionauthority/' -e '^com/sun/jna/' "$IMAGE_DIR/classes.lst" | LC_ALL=C sort -u > "$IMAGE_DIR/classes.sorted" || true
  mv "$IMAGE_DIR/classes.sorted" "$IMAGE_DIR/classes.lst"
  echo "class list: $(wc -l < "$IMAGE_DIR/classes.lst") classes of the JDK and the dependencies from a real start"
else
  echo "no redis-server: the image's class-data-sharing archive holds the JDK's classes only"
fi

docker build -f docker/Dockerfile --target runtime-from-host --build-arg JDK_IMAGE="$JDK_IMAGE" --build-arg OS_IMAGE="$OS_IMAGE" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$TAG" .
