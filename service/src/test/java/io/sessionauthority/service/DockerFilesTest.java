package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.sessionauthority.service.security.CallerRegistry;
import io.sessionauthority.service.security.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The container files, checked as far as can be done without a Docker engine: every file the
 * image copies exists, the image runs as non-root with a health check this jar can answer, and the
 * compose stack, Envoy and Kubernetes configurations agree with each other and with the service.
 */
@Tag("unit")
class DockerFilesTest {

    private static final Path ROOT = Path.of("..");
    private static final Path DOCKER = ROOT.resolve("docker");

    @Test
    void theImageCopiesFilesThatExistRunsAsNonRootAndProbesWithoutAJvm() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        Matcher copy = Pattern.compile("^COPY (?!--from)(\\S+)(?: (\\S+))?", Pattern.MULTILINE).matcher(dockerfile);
        List<String> sources = new ArrayList<>();
        while (copy.find()) {
            sources.add(copy.group(1));
        }
        // Sources in the repository must exist; the host build's layout is made by the service module's package phase.
        assertThat(sources).contains("mvnw", "docker/entrypoint.sh", "service/target/image/lib/third-party.jar").allSatisfy(source -> {
            if (!source.startsWith("service/target/")) {
                assertThat(ROOT.resolve(source.replaceAll("/$", ""))).as(source).exists();
            }
        });
        assertThat(dockerfile).containsPattern("(?m)^USER 10001").contains("./mvnw")
                .contains("AS runtime-from-host").contains("AS runtime\n");
        // The runtime is a Java of the service's own (jlink) over the few OS files it loads, never a
        // whole JDK, JRE or distribution image (container-test.sh checks what the image can run).
        assertThat(dockerfile).contains("FROM ${JDK_IMAGE} AS jre").contains("jlink --add-modules java.base,")
                .contains("RUN /usr/local/bin/minimal-os.sh /rootfs /opt/jre")
                .contains("FROM scratch AS runtime-base\nCOPY --from=os /rootfs/ /\nCOPY --from=jre /opt/jre /opt/jre");
        // Every runtime stage has a class-data-sharing archive where JAVA_OPTS points.
        assertThat(dockerfile).contains("-XX:SharedArchiveFile=/app/app.jsa");
        assertThat(dockerfile.split("/app/app.jsa /app/app.jsa", -1)).as("COPY of the archive in both runtime stages").hasSize(3);
        // The Maven stage comes after the host stage: the classic builder never runs it for --target runtime-from-host.
        assertThat(dockerfile.indexOf("AS runtime-from-host")).isLessThan(dockerfile.indexOf("AS build"));
        assertThat(dockerfile).contains("HEALTHCHECK").contains("/app/probe.sh").doesNotContain("java -cp /app/session-authority.jar");
        assertThat(dockerfile).contains("ENTRYPOINT [\"/app/entrypoint.sh\"]");
        // OCI labels, and the software bill of materials in both runtime stages (SbomIT checks its content).
        assertThat(dockerfile).contains("org.opencontainers.image.title", "org.opencontainers.image.version",
                "org.opencontainers.image.revision");
        assertThat(dockerfile.split("sbom.cdx.json /app/sbom.cdx.json", -1)).as("COPY of the SBOM in both runtime stages").hasSize(3);
        for (String script : List.of("entrypoint.sh", "probe.sh", "image.sh", "container-test.sh", "base-images.sh",
                "minimal-os.sh")) {
            assertThat(Files.isExecutable(DOCKER.resolve(script))).as(script).isTrue();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsRedisSafelyAndItsCallersMatchTheKeysEnvoySends() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("redis", "session-authority", "envoy", "app");
        List<String> redisCommand = (List<String>) ((Map<String, Object>) services.get("redis")).get("command");
        assertThat(String.join(" ", redisCommand)).contains("--appendonly yes").contains("--maxmemory-policy noeviction");
        // Start-up is not a race: Redis has a healthcheck, and the authority waits for it to pass.
        assertThat((Map<String, Object>) ((Map<String, Object>) services.get("redis")).get("healthcheck")).containsKey("test");
        Map<String, Object> dependsOn = (Map<String, Object>) ((Map<String, Object>) services.get("session-authority")).get("depends_on");
        assertThat((Map<String, Object>) dependsOn.get("redis")).containsEntry("condition", "service_healthy");

        String envoy = Files.readString(DOCKER.resolve("envoy.yaml"));
        Matcher key = Pattern.compile("key: x-api-key\\s+value: (\\S+)").matcher(envoy);
        assertThat(key.find()).isTrue();
        Map<String, Object> callers;
        try (var in = Files.newInputStream(DOCKER.resolve("compose-callers.yml"))) {
            // Read exactly as Micronaut reads a -Dmicronaut.config.files YAML file.
            callers = new io.micronaut.context.env.yaml.YamlPropertySourceLoader().read("compose-callers", in);
        }
        try (ApplicationContext context = ApplicationContext.builder("test")
                .propertySources(io.micronaut.context.env.PropertySource.of("compose-callers", callers, 1000))
                .properties(Map.of("redis.uri", io.sessionauthority.service.testing.RedisServerProcess.shared().uri(),
                        "ADMIN_API_KEY_SHA256", CallerRegistry.digestOf("a key the user made")))
                .start()) {
            CallerRegistry registry = context.getBean(CallerRegistry.class);
            assertThat(registry.byApiKey(key.group(1))).hasValueSatisfying(caller -> {
                assertThat(caller.name()).isEqualTo("envoy");
                assertThat(caller.permissions()).containsExactly(Permission.VALIDATE);
            });
            // The demo keys printed in the file hold no admin: that key is one the user makes (compose insists).
            assertThat(registry.byApiKey("demo-edge-key")).hasValueSatisfying(caller ->
                    assertThat(caller.permissions()).doesNotContain(Permission.ADMIN));
            assertThat(registry.byApiKey("a key the user made")).hasValueSatisfying(caller ->
                    assertThat(caller.permissions()).containsExactly(Permission.ADMIN));
        }
        assertThat(Files.readString(DOCKER.resolve("compose.yaml"))).contains("ADMIN_API_KEY_SHA256: ${ADMIN_API_KEY_SHA256:?")
                .contains("\"127.0.0.1:50051:50051\"").doesNotContain("JAVA_OPTS:");
    }

    @Test
    @SuppressWarnings("unchecked")
    void envoyAsksTheAuthorityOverGrpcAndFailsClosed() throws IOException {
        Map<String, Object> envoy = new Yaml().load(Files.readString(DOCKER.resolve("envoy.yaml")));
        String text = Files.readString(DOCKER.resolve("envoy.yaml"));
        assertThat(text).contains("envoy.filters.http.ext_authz").contains("failure_mode_allow: false")
                .contains("transport_api_version: V3").contains("http2_protocol_options")
                .contains("headers_with_underscores_action: REJECT_REQUEST");
        List<Map<String, Object>> clusters = (List<Map<String, Object>>) ((Map<String, Object>) envoy.get("static_resources")).get("clusters");
        assertThat(clusters).extracting(cluster -> cluster.get("name")).contains("session_authority", "app");
        assertThat(text).contains("port_value: 50051");
    }

    @Test
    void kubernetesManifestsParseAndProbeTheRightPorts() throws IOException {
        List<Object> documents = new ArrayList<>();
        new Yaml().loadAll(Files.readString(DOCKER.resolve("kubernetes.yaml"))).forEach(documents::add);
        assertThat(documents).hasSize(6); // KubernetesManifestsTest checks what they hold
        String text = Files.readString(DOCKER.resolve("kubernetes.yaml"));
        assertThat(text).contains("path: /health/readiness").contains("path: /health/liveness").contains("terminationGracePeriodSeconds")
                .doesNotContain("name: JAVA_OPTS"); // never replace the image's JVM profile by accident
        new Yaml().load(text.substring(text.indexOf("envoy.yaml: |") + "envoy.yaml: |".length()).replaceAll("(?m)^    ", ""));
    }

    @Test
    void theProductionConfigurationParses() throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(DOCKER.resolve("session-authority.yml")));
        assertThat(config).containsKeys("grpc", "redis", "session-authority");
    }
}
