package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK as a user gets it: an empty Maven project with only the coordinates docs/USING.md gives, resolving
 * into an empty local repository, builds — and fetches only what the SDK needs (grpc, protobuf and
 * their own dependencies), never the Micronaut platform BOM that the build of this repository
 * imports. The artifacts are published into a file repository of their own, exactly as built
 * (flattened POMs, jars); third-party artifacts come from this machine's Maven cache, standing in
 * for Central.
 */
@Tag("process")
class PublishedArtifactIT {

    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void anEmptyProjectWithTheReadmeCoordinatesBuildsAndFetchesOnlyWhatTheSdkNeeds(@TempDir Path work) throws Exception {
        Path published = work.resolve("published");
        publish(published, "session-authority-proto", ROOT.resolve("proto"));
        publish(published, "session-authority-revocation-cache", ROOT.resolve("revocation-cache"));
        publish(published, "session-authority-client", ROOT.resolve("client-sdk"));
        for (String artifact : List.of("session-authority-proto", "session-authority-revocation-cache", "session-authority-client")) {
            assertThat(Files.readString(published.resolve("io/sessionauthority/" + artifact + "/" + VERSION + "/" + artifact + "-" + VERSION + ".pom")))
                    .as(artifact + "'s published POM").doesNotContain("<parent>").doesNotContain("micronaut");
        }

        Path consumer = work.resolve("consumer");
        Files.createDirectories(consumer.resolve("src/main/java/example"));
        Files.writeString(consumer.resolve("pom.xml"), consumerPom());
        Files.writeString(consumer.resolve("src/main/java/example/Example.java"), """
                package example;

                import io.sessionauthority.client.SessionAuthorityClient;
                import io.sessionauthority.client.ValidationResult;

                public class Example {
                    public static boolean check(String token) {
                        try (SessionAuthorityClient client = SessionAuthorityClient.builder("localhost:50051").plaintext().build()) {
                            ValidationResult result = client.validate(token);
                            return result.isValid();
                        }
                    }
                }
                """);
        Path cache = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Files.writeString(work.resolve("settings.xml"), settings(published, cache));
        Path local = work.resolve("empty-local-repository");

        Process maven = new ProcessBuilder(ROOT.resolve("mvnw").toString(), "-B", "-q", "-s", work.resolve("settings.xml").toString(),
                "-Dmaven.repo.local=" + local, "-f", consumer.resolve("pom.xml").toString(), "compile")
                .redirectErrorStream(true).redirectOutput(work.resolve("maven.log").toFile()).start();
        assertThat(maven.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(maven.exitValue()).as(Files.readString(work.resolve("maven.log"))).isZero();
        assertThat(consumer.resolve("target/classes/example/Example.class")).exists();

        Set<String> fetched = groupsIn(local);
        System.out.println("fetched groups: " + fetched);
        assertThat(fetched).contains("io.grpc", "com.google.protobuf", "io.sessionauthority")
                .noneMatch(group -> group.startsWith("io.micronaut") || group.startsWith("software.amazon")
                        || group.startsWith("com.azure") || group.startsWith("com.oracle") || group.startsWith("org.eclipse.jetty")
                        || group.startsWith("io.netty")); // the shaded transport carries its own Netty
    }

    @Test
    void theJarsNameTheirModulesAndComeWithSourcesAndJavadoc() throws IOException {
        for (String module : List.of("proto", "revocation-cache", "client-sdk")) {
            Path target = ROOT.resolve(module).resolve("target");
            try (Stream<Path> files = Files.list(target)) {
                List<String> names = files.map(path -> path.getFileName().toString()).toList();
                assertThat(names).anyMatch(name -> name.endsWith("-sources.jar")).anyMatch(name -> name.endsWith("-javadoc.jar"));
            }
            Path jar = mainJar(target);
            try (JarFile file = new JarFile(jar.toFile())) {
                assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).as(jar.toString())
                        .isEqualTo(Map.of("proto", "io.sessionauthority.v1", "revocation-cache", "io.sessionauthority.cache",
                                "client-sdk", "io.sessionauthority.client").get(module));
            }
        }
    }

    private static Path mainJar(Path target) throws IOException {
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(path -> path.getFileName().toString().endsWith(VERSION + ".jar")).findFirst().orElseThrow();
        }
    }

    /** Lays the built jar and the flattened POM out in Maven's repository layout. */
    private static void publish(Path repository, String artifact, Path module) throws IOException {
        Path directory = repository.resolve("io/sessionauthority/" + artifact + "/" + VERSION);
        Files.createDirectories(directory);
        Files.copy(mainJar(module.resolve("target")), directory.resolve(artifact + "-" + VERSION + ".jar"));
        Files.copy(module.resolve(".flattened-pom.xml"), directory.resolve(artifact + "-" + VERSION + ".pom"));
    }

    private static Set<String> groupsIn(Path repository) throws IOException {
        Set<String> groups = new TreeSet<>();
        try (Stream<Path> files = Files.walk(repository)) {
            files.filter(path -> path.getFileName().toString().endsWith(".pom")).forEach(pom -> {
                Path version = pom.getParent();
                Path artifactDir = version.getParent();
                groups.add(repository.relativize(artifactDir.getParent()).toString().replace('/', '.'));
            });
        }
        return groups;
    }

    private static String consumerPom() {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>consumer</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>io.sessionauthority</groupId>
                      <artifactId>session-authority-client</artifactId>
                      <version>%s</version>
                    </dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(VERSION);
    }

    /** This machine's Maven cache stands in for Central (no network); the SDK comes from its own repository. */
    private static String settings(Path published, Path cache) {
        return """
                <settings>
                  <mirrors>
                    <mirror><id>cache-as-central</id><mirrorOf>central</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                  <profiles>
                    <profile>
                      <id>published</id>
                      <repositories>
                        <repository>
                          <id>published</id><url>%s</url>
                          <snapshots><enabled>true</enabled></snapshots>
                        </repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>published</activeProfile></activeProfiles>
                </settings>
                """.formatted(cache.toUri(), published.toUri());
    }

}
