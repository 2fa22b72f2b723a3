package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image's software bill of materials, as the package phase writes it beside the image's jars
 * (target/image/sbom.cdx.json, copied to /app/sbom.cdx.json): CycloneDX JSON naming the service
 * and every runtime component with a package URL and a hash, and nothing only tests use.
 */
@Tag("process")
class SbomIT {

    @Test
    void listsEveryRuntimeComponentWithItsPackageUrlAndNoTestOnlyOne() throws Exception {
        // gson: the JSON parser already on the service's class path (through grpc-services).
        JsonObject sbom = JsonParser.parseString(Files.readString(Path.of("target", "image", "sbom.cdx.json"))).getAsJsonObject();
        assertThat(sbom.get("bomFormat").getAsString()).isEqualTo("CycloneDX");
        assertThat(sbom.getAsJsonObject("metadata").getAsJsonObject("component").get("name").getAsString())
                .isEqualTo("session-authority-service");
        List<String> names = new ArrayList<>();
        for (JsonElement element : sbom.getAsJsonArray("components")) {
            JsonObject component = element.getAsJsonObject();
            String name = component.get("name").getAsString();
            names.add(name);
            assertThat(component.get("purl").getAsString()).as(name).startsWith("pkg:maven/");
            assertThat(component.getAsJsonArray("hashes").size()).as(name).isPositive();
        }
        assertThat(names).contains("grpc-netty", "lettuce-core", "bcrypt", "protobuf-java", "session-authority-proto",
                        "session-authority-revocation-cache")
                .doesNotContain("junit-jupiter-api", "assertj-core", "archunit", "testcontainers");
    }
}
