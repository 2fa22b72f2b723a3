package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests (docker/kubernetes*.yaml): every pod meets Pod Security "restricted",
 * and the authority's deployment has what a platform team checks for. {@code .ci/run} validates
 * the same files against Kubernetes' schemas (docker/validate-manifests.mjs); the schemas let
 * unknown or misplaced fields pass, so the fields that matter are checked here.
 */
@Tag("unit")
class KubernetesManifestsTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final List<String> FILES = List.of("kubernetes.yaml", "kubernetes-sidecar.yaml");
    /** The volume types Pod Security "restricted" allows. */
    private static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    @Test
    void everyPodMeetsPodSecurityRestricted() throws IOException {
        List<Map<String, Object>> pods = new ArrayList<>();
        for (String file : FILES) {
            for (Map<String, Object> object : objects(file)) {
                if ("Deployment".equals(object.get("kind"))) {
                    pods.add(map(map(map(object, "spec"), "template"), "spec"));
                }
            }
        }
        assertThat(pods).hasSize(3);
        for (Map<String, Object> pod : pods) {
            assertThat(pod).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
            Map<String, Object> podSecurity = map(pod, "securityContext");
            assertThat(podSecurity).containsEntry("runAsNonRoot", true);
            assertThat(map(podSecurity, "seccompProfile").get("type")).isIn("RuntimeDefault", "Localhost");
            for (Map<String, Object> volume : list(pod, "volumes")) {
                assertThat(volume.keySet()).as("volume %s", volume.get("name")).containsOnly("name",
                        volume.keySet().stream().filter(RESTRICTED_VOLUMES::contains).findFirst().orElse("a type restricted allows"));
            }
            List<Map<String, Object>> containers = new ArrayList<>(list(pod, "containers"));
            containers.addAll(list(pod, "initContainers"));
            for (Map<String, Object> container : containers) {
                String name = (String) container.get("name");
                Map<String, Object> security = map(container, "securityContext");
                assertThat(security).as(name).containsEntry("allowPrivilegeEscalation", false)
                        .containsEntry("readOnlyRootFilesystem", true).doesNotContainEntry("privileged", true)
                        .doesNotContainEntry("runAsNonRoot", false);
                assertThat(String.valueOf(map(security, "capabilities").get("drop"))).as(name).isEqualTo("[ALL]");
                assertThat(map(security, "capabilities")).as(name).doesNotContainKey("add");
                String image = (String) container.get("image");
                assertThat(image).as(name + "'s image names a version").matches(".+:[^:]+").doesNotEndWith(":latest");
            }
        }
    }

    @Test
    void theAuthorityIsSpreadProbedAndReachedOnlyByItsClientsOverTls() throws IOException {
        List<Map<String, Object>> objects = objects("kubernetes.yaml");
        Map<String, Object> deployment = named(objects, "Deployment", "session-authority");
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        assertThat(list(pod, "topologySpreadConstraints")).extracting(constraint -> constraint.get("topologyKey"))
                .contains("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        Map<String, Object> authority = list(pod, "containers").get(0);
        assertThat(authority).containsKeys("startupProbe", "readinessProbe", "livenessProbe");
        assertThat(list(authority, "env")).extracting(variable -> variable.get("name"))
                .contains("SESSION_AUTHORITY_CALLERS", "SESSION_AUTHORITY_TLS_CERT_CHAIN", "SESSION_AUTHORITY_TLS_PRIVATE_KEY");
        // Callers must authenticate, and the TLS port asks for a client certificate.
        assertThat(list(authority, "env")).contains(Map.of("name", "SESSION_AUTHORITY_SECURITY_CALLER_AUTH", "value", "required"))
                .extracting(variable -> variable.get("name")).contains("SESSION_AUTHORITY_TLS_CLIENT_CA");
        // Secrets come from Secrets: no environment variable holds a credential's value in the file.
        for (Map<String, Object> variable : list(authority, "env")) {
            if (List.of("REDIS_URI", "SESSION_AUTHORITY_CALLERS").contains(variable.get("name"))) {
                assertThat(map(variable, "valueFrom")).as((String) variable.get("name")).containsKey("secretKeyRef");
            }
        }

        // Headless: DNS answers every pod, so clients balance over all replicas.
        assertThat(map(named(objects, "Service", "session-authority"), "spec")).containsEntry("clusterIP", "None");
        assertThat(map(named(objects, "PodDisruptionBudget", "session-authority"), "spec")).containsKey("minAvailable");
        // Only pods labelled as its clients reach gRPC, and the orders pod carries that label.
        List<Map<String, Object>> ingress = list(map(named(objects, "NetworkPolicy", "session-authority"), "spec"), "ingress");
        assertThat(ingress).hasSize(2);
        Map<String, Object> clients = map(list(ingress.get(0), "from").get(0), "podSelector");
        assertThat(list(ingress.get(0), "ports")).extracting(port -> port.get("port")).containsExactly("grpc");
        Map<String, Object> ordersLabels = map(map(map(map(named(objects, "Deployment", "orders"), "spec"), "template"),
                "metadata"), "labels");
        assertThat(ordersLabels).containsAllEntriesOf(map(clients, "matchLabels"));

        // Envoy reaches the authority over TLS with its client certificate; no key sits in a ConfigMap.
        String envoy = (String) map(named(objects, "ConfigMap", "orders-envoy"), "data").get("envoy.yaml");
        assertThat(envoy).contains("envoy.transport_sockets.tls").contains("tls_certificates").contains("trusted_ca")
                .doesNotContain("x-api-key");
    }

    @Test
    void asASidecarTheAuthorityListensOnLoopbackAndIsProbedOnThePodsAddress() throws IOException {
        Map<String, Object> pod = map(map(map(named(objects("kubernetes-sidecar.yaml"), "Deployment", "billing"), "spec"),
                "template"), "spec");
        Map<String, Object> authority = list(pod, "initContainers").get(0);
        assertThat(authority).containsEntry("name", "session-authority").containsEntry("restartPolicy", "Always");
        List<Map<String, Object>> env = list(authority, "env");
        assertThat(env).contains(Map.of("name", "GRPC_SERVER_HOST", "value", "127.0.0.1"));
        Map<String, Object> managementHost = env.stream().filter(variable -> "MANAGEMENT_HOST".equals(variable.get("name")))
                .findFirst().orElseThrow();
        assertThat(map(map(managementHost, "valueFrom"), "fieldRef")).containsEntry("fieldPath", "status.podIP");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String file) throws IOException {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object object : new Yaml().loadAll(Files.readString(DOCKER.resolve(file)))) {
            if (object != null) {
                objects.add((Map<String, Object>) object);
            }
        }
        return objects;
    }

    private static Map<String, Object> named(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(object -> kind.equals(object.get("kind")) && name.equals(map(object, "metadata").get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
