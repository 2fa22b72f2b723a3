#!/bin/sh
# The container's entrypoint, and the exact command the tests run (GracefulShutdownIT): exec, so the
# JVM is PID 1's direct successor and receives SIGTERM itself, for a graceful drain. The image runs
# the layered classpath (APP_CLASSPATH: third-party jars, then the application's own); tests and
# the quick start run a single jar (APP_JAR). JAVA_OPTS holds the image's JVM profile,
# JAVA_EXTRA_OPTS what a deployment adds (a config file, a larger heap) without repeating it.
if [ -n "${APP_CLASSPATH:-}" ]; then
  exec java ${JAVA_OPTS:-} ${JAVA_EXTRA_OPTS:-} -cp "${APP_CLASSPATH}" io.sessionauthority.service.Application "$@"
fi
exec java ${JAVA_OPTS:-} ${JAVA_EXTRA_OPTS:-} -jar "${APP_JAR:-/app/session-authority.jar}" "$@"
