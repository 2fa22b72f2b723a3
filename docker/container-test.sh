#!/usr/bin/env bash
# Runs the image as a user would and checks it, printing what it measures:
#
#   docker/container-test.sh <image>
#
# With SESSION_AUTHORITY_BASE_IMAGE (a whole JRE image, as .ci/run sets it), it also builds the
# image as it was before it was made lean (docker/baseline.Dockerfile) and measures start-up and
# idle RSS of both, interleaved, in the same run (CONTAINER_TEST_ROUNDS starts of each, 5 by
# default): the targets say "no worse than the baseline".
#
# health turns healthy (the image's own HEALTHCHECK), gRPC answers from the host, the process runs as
# non-root, `docker stop` drains (readiness 503 at once, liveness 200) and exits 0; and the figures:
# image size, start-up to SERVING, idle RSS, a probe's cost. Containers share the host's network
# (these machines allow no bridge networks); Redis is a redis-server on the host.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${1:?usage: docker/container-test.sh <image>}"
NAME="session-authority-test-$$"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
# To stderr: a failure inside a measurement, whose output goes to a file, still reaches the reader.
fail() { { echo "container test FAILED: $*"; docker logs "$NAME" 2>&1 | tail -40 || true; } >&2; exit 1; }

redis_port=$(free_port); grpc_port=$(free_port); management_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
redis_pid=$!
MEASURED="session-authority-measure-$$"
cleanup() {
  docker rm -f "$NAME" "$MEASURED" >/dev/null 2>&1 || true
  docker image rm -f "$IMAGE-baseline" >/dev/null 2>&1 || true
  rm -f /tmp/container-test-$$.*
  kill "$redis_pid" 2>/dev/null || true
}
trap cleanup EXIT

# The service's user must reach everything it runs, from / down (a base image made from a 0700
# temporary directory once made / unreachable). The image has no stat: its own shell tests it, as
# that user, and lists what else it could run.
docker run --rm --network none --user 10001:10001 --entrypoint /bin/sh "$IMAGE" -c \
  'test -x / && test -r /app/entrypoint.sh && test -x /app/probe.sh && test -x /opt/jre/bin/java && test -x /usr/bin/chrt && test -r /app/app.jsa' \
  || fail "the service's user (10001) cannot reach the entrypoint, the probe, java, chrt or the archive"
# Both fail silently in the service: a JVM drops an archive that does not match its class path, and
# the hashing threads only log that chrt did not run. Here they must work.
docker run --rm --network none --user 10001:10001 --entrypoint /bin/sh "$IMAGE" -c \
  'exec java -Xshare:on -XX:SharedArchiveFile=/app/app.jsa -cp "$APP_CLASSPATH" -version' >/dev/null 2>&1 \
  || fail "the class-data-sharing archive does not map with the image's class path (java -Xshare:on)"
docker run --rm --network none --user 10001:10001 --entrypoint /usr/bin/chrt "$IMAGE" --idle 0 /bin/sh -c : \
  || fail "chrt cannot put a process under SCHED_IDLE in the image"
programs=$(docker run --rm --network none --entrypoint /bin/bash "$IMAGE" -c 'compgen -c' \
  | grep -E '^(apt|apt-get|dpkg|perl|curl|wget|ls|cat|rm)$' | sort -u | tr '\n' ' ' || true)
[ -z "$programs" ] || fail "the image carries programs it does not need: $programs"

# Starts the created container NAME and waits until its readiness (on MANAGEMENT_PORT) answers 200;
# prints how long that took. With the vfs storage driver a create copies the whole image (483 MB for
# the baseline) and a removal deletes it: the disk's write-back then ran into the next start, which
# lost 200-350 ms whenever it followed the baseline. Flushed before the clock starts, the gap was gone.
start_until_ready() {
  local name="$1" management="$2" started
  sync
  started=$(now_ms)
  docker start "$name" >/dev/null
  until curl -sf -o /dev/null "http://127.0.0.1:$management/health/readiness"; do
    if [ $(( $(now_ms) - started )) -ge 60000 ]; then
      docker logs "$name" 2>&1 | tail -40 >&2
      fail "$name not ready within 60 s"
    fi
    sleep 0.02
  done
  echo $(( $(now_ms) - started ))
}

docker create --name "$NAME" --network host \
  -e REDIS_URI="redis://127.0.0.1:$redis_port" -e GRPC_SERVER_HOST=127.0.0.1 \
  -e GRPC_SERVER_PORT="$grpc_port" -e MANAGEMENT_PORT="$management_port" -e SHUTDOWN_DRAIN_DELAY=2s \
  --health-interval 1s --health-start-period 1s "$IMAGE" >/dev/null
startup_ms=$(start_until_ready "$NAME" "$management_port")

for _ in $(seq 1 100); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' "$NAME")" = healthy ] && break
  sleep 0.2
done
[ "$(docker inspect -f '{{.State.Health.Status}}' "$NAME")" = healthy ] || fail "HEALTHCHECK never healthy"

# gRPC from the host: the health service, plaintext HTTP/2 with prior knowledge (h2load when present).
pid=$(docker inspect -f '{{.State.Pid}}' "$NAME")
user=$(ps -o user= -p "$pid" | tr -d ' ')
[ "$user" != root ] && [ "$user" != 0 ] || fail "the service runs as root"
if command -v h2load >/dev/null 2>&1; then
  printf '\x00\x00\x00\x00\x00' > /tmp/health-check.bin
  h2load -n 10 -c 1 -d /tmp/health-check.bin -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$grpc_port/grpc.health.v1.Health/Check" | grep "10 succeeded" >/dev/null || fail "gRPC health did not answer from the host"
fi

sleep 5
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
probe_start=$(date +%s%N)
for _ in $(seq 1 20); do docker exec "$NAME" /app/probe.sh || fail "probe failed"; done
probe_ms_docker=$(( ($(date +%s%N) - probe_start) / 20000000 ))
probe_start=$(date +%s%N)
for _ in $(seq 1 20); do MANAGEMENT_PORT=$management_port docker/probe.sh || fail "probe failed"; done
probe_ms=$(( ($(date +%s%N) - probe_start) / 20000000 ))

# docker stop: readiness 503 from the first moment, liveness 200 during the drain, exit 0.
docker stop -t 30 "$NAME" >/dev/null &
stop_pid=$!
for _ in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management_port/health/readiness" || true)
  [ "$code" = 503 ] && break
  sleep 0.02
done
[ "$code" = 503 ] || fail "readiness did not turn 503 on SIGTERM (got $code)"
live=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management_port/health/liveness" || true)
[ "$live" = 200 ] || fail "liveness was $live during the drain"
wait "$stop_pid"
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$exit_code" = 0 ] || fail "exit code $exit_code after docker stop"
# grep reads all of it: with -q it would stop at the match, and under pipefail the writer's SIGPIPE
# failed the test now and then.
docker logs "$NAME" 2>&1 | grep "Stopped gracefully" >/dev/null || fail "no graceful stop in the log"
# Hashing falls back to Java without saying more than a log line: in the image it must run in libcrypt.
docker logs "$NAME" 2>&1 | grep "bcrypt runs in the system's libcrypt" >/dev/null \
  || fail "bcrypt does not run in libcrypt in the image (see the service's start-up log)"
docker logs "$NAME" 2>&1 | grep "Imported Argon2id hashes are checked by the system's libargon2" >/dev/null \
  || fail "the image has no libargon2: imported Argon2id hashes would be refused (see the service's start-up log)"

size_mb=$(( $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1000000 ))
target() { if [ "$2" -le "$3" ]; then echo "target $1 <= $3 MB: $2 MB MET"; else echo "target $1 <= $3 MB: $2 MB MISSED"; fi; }
no_worse() { if [ "$2" -le "$3" ]; then echo "target $1 no worse than the baseline: $2 vs $3 $4 MET"; else echo "target $1 no worse than the baseline: $2 vs $3 $4 MISSED"; fi; }
echo "container test passed: healthy, gRPC from the host, user $user, drained and exited 0"
echo "image size ${size_mb} MB; start-up to SERVING ${startup_ms} ms (docker start to readiness 200);" \
     "idle RSS $(( rss_kib / 1024 )) MiB; probe ${probe_ms} ms (${probe_ms_docker} ms through docker exec)"
target "image size" "$size_mb" 150
jar=service/target/session-authority.jar
if [ -f "$jar" ]; then target "production jar" "$(( $(stat -c %s "$jar") / 1000000 ))" 30; fi

# Start-up (docker start to readiness 200) and RSS 5 s after it, one start of IMAGE; prints "ms kib".
measure_start() {
  local image="$1" name="$MEASURED" grpc management ms pid rss
  grpc=$(free_port); management=$(free_port)
  docker create --name "$name" --network host "${image_env[@]}" -e REDIS_URI="redis://127.0.0.1:$redis_port" \
    -e GRPC_SERVER_HOST=127.0.0.1 -e GRPC_SERVER_PORT="$grpc" -e MANAGEMENT_PORT="$management" \
    "$image" >/dev/null
  ms=$(start_until_ready "$name" "$management") # the trap removes the container if it never gets ready
  sleep 5
  pid=$(docker inspect -f '{{.State.Pid}}' "$name")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  docker rm -f "$name" >/dev/null
  echo "$ms $rss"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

if [ -n "${SESSION_AUTHORITY_BASE_IMAGE:-}" ]; then
  baseline="$IMAGE-baseline"
  docker build -f docker/baseline.Dockerfile --build-arg IMAGE="$IMAGE" --build-arg BASE_IMAGE="$SESSION_AUTHORITY_BASE_IMAGE" \
    -t "$baseline" . > /tmp/container-test-$$.build 2>&1 || { cat /tmp/container-test-$$.build; fail "the baseline image did not build"; }
  rm -f /tmp/container-test-$$.build
  # The baseline runs with the image's own settings (JAVA_OPTS and the rest), not its JRE's paths;
  # the addresses and ports given after them win.
  image_env=()
  while IFS= read -r variable; do
    case "$variable" in PATH=*|JAVA_HOME=*|'') ;; *) image_env+=(-e "$variable") ;; esac
  done < <(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE")
  : > /tmp/container-test-$$.image; : > /tmp/container-test-$$.baseline
  rounds="${CONTAINER_TEST_ROUNDS:-5}"
  # Alternating which goes first, so that neither always follows the other.
  for round in $(seq 1 "$rounds"); do
    if [ $(( round % 2 )) = 1 ]; then
      measure_start "$IMAGE" >> /tmp/container-test-$$.image
      measure_start "$baseline" >> /tmp/container-test-$$.baseline
    else
      measure_start "$baseline" >> /tmp/container-test-$$.baseline
      measure_start "$IMAGE" >> /tmp/container-test-$$.image
    fi
  done
  echo "start-ups (ms, RSS KiB): image $(tr '\n' ' ' < /tmp/container-test-$$.image); baseline $(tr '\n' ' ' < /tmp/container-test-$$.baseline)"
  image_ms=$(cut -d' ' -f1 /tmp/container-test-$$.image | median)
  baseline_ms=$(cut -d' ' -f1 /tmp/container-test-$$.baseline | median)
  image_mib=$(( $(cut -d' ' -f2 /tmp/container-test-$$.image | median) / 1024 ))
  baseline_mib=$(( $(cut -d' ' -f2 /tmp/container-test-$$.baseline | median) / 1024 ))
  echo "interleaved, medians of $rounds: start-up ${image_ms} ms (baseline ${baseline_ms} ms), idle RSS ${image_mib} MiB" \
       "(baseline ${baseline_mib} MiB); baseline image $(( $(docker image inspect -f '{{.Size}}' "$baseline") / 1000000 )) MB"
  no_worse "start-up" "$image_ms" "$baseline_ms" ms
  no_worse "idle RSS" "$image_mib" "$baseline_mib" MiB
fi
