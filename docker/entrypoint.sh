#!/bin/sh
# The container's entrypoint, and the exact command the tests run (GracefulShutdownIT): exec, so the
# JVM is PID 1's direct successor and receives SIGTERM itself, for a graceful drain.
exec java ${JAVA_OPTS:-} -jar "${APP_JAR:-/app/session-authority.jar}" "$@"
