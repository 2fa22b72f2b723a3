# The image as it was before it was made lean (issue 26): the same application, jars and JVM profile
# on a whole JRE over a whole Debian (BASE_IMAGE: eclipse-temurin:17-jre, or local/jre17:bookworm from
# docker/base-images.sh), with a class-data-sharing archive trained from the same class list. Only
# docker/container-test.sh builds it, to measure start-up and memory beside the image in one run.
#
#   docker build -f docker/baseline.Dockerfile --build-arg IMAGE=session-authority:it \
#     --build-arg BASE_IMAGE=local/jre17:bookworm -t session-authority:it-baseline .
ARG IMAGE
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${IMAGE} AS image

FROM ${BASE_IMAGE}
COPY --from=image /app/ /app/
COPY service/target/image/classes.lst /tmp/classes.lst
RUN if [ -s /tmp/classes.lst ]; then java -Xshare:dump -XX:SharedClassListFile=/tmp/classes.lst \
      -XX:SharedArchiveFile=/app/app.jsa -cp "/app/lib/*"; else java -Xshare:dump -XX:SharedArchiveFile=/app/app.jsa; fi >/dev/null \
 && rm /tmp/classes.lst
USER 10001:10001
ENTRYPOINT ["/app/entrypoint.sh"]
