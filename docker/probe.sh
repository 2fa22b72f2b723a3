#!/bin/bash
# The container's health probe: asks the management port's readiness over plain HTTP, with nothing
# but bash (/dev/tcp). Costs a few milliseconds, where a JVM-based probe cost two seconds of CPU
# every ten seconds. Exit 0 when ready (200), 1 otherwise (503 before it has reached Redis and warmed up, while draining,
# or while its own Redis connection is dead: docs/RELIABILITY.md, "Readiness").
port="${MANAGEMENT_PORT:-9090}"
# Where the management port listens: MANAGEMENT_HOST when it names one address (a sidecar's pod IP,
# so the kubelet reaches it while gRPC stays on loopback); unset, wherever gRPC listens
# (GRPC_SERVER_HOST, as the service does); loopback when that is a wildcard or unset too.
host="${MANAGEMENT_HOST:-${GRPC_SERVER_HOST:-127.0.0.1}}"
case "$host" in 0.0.0.0|::|"[::]") host=127.0.0.1 ;; esac
exec 3<>"/dev/tcp/${host}/${port}" || exit 1
printf 'GET /health/readiness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 2 status_line <&3 || exit 1
exec 3<&-
case "$status_line" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) exit 1 ;;
esac
