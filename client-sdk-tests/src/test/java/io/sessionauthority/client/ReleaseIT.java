package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.testing.RedisServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * The release as CONTRIBUTING.md describes it, and a consumer of it. The documented release command
 * runs in a copy of this repository that holds only what a consumer's artifacts are built from (the
 * other modules' POMs, which the reactor reads, and none of their sources), deploys a release
 * version into a file-system repository, and two empty projects whose only source of Session
 * Authority artifacts is that repository (a plain Java one on the SDK, a Spring Boot one on the
 * starter) pass their own tests against a real authority. Third-party
 * artifacts come from this machine's Maven cache, standing in for Central.
 */
@Tag("process")
class ReleaseIT {

    private static final String RELEASE = "0.1.0";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> PUBLISHED = List.of("session-authority-proto", "session-authority-revocation-cache",
            "session-authority-client", "session-authority-spring-boot-starter", "session-authority-micronaut-security",
            "session-authority-testcontainers");
    private static final Map<String, String> MODULE_NAMES = Map.of("session-authority-proto", "io.sessionauthority.v1",
            "session-authority-revocation-cache", "io.sessionauthority.cache", "session-authority-client", "io.sessionauthority.client");

    /** The plugins both consumers build with (versions this machine's cache holds), and the authority's address for their tests. */
    private static final String CONSUMER_BUILD = """
              <build>
                <plugins>
                  <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                  <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                  <plugin>
                    <artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version>
                    <configuration>
                      <systemPropertyVariables><authority.target>${authority.target}</authority.target></systemPropertyVariables>
                    </configuration>
                  </plugin>
                </plugins>
              </build>
            </project>""";

    @Test
    void theDocumentedReleaseDeploysWhatAConsumerBuildsAndTestsFrom(@TempDir Path work) throws Exception {
        Path source = copyOfWhatTheReleaseNeeds(work.resolve("source"));
        Path repository = work.resolve("release-repository");
        run(work, "release", source, List.of(source.resolve("mvnw").toString(), "-B", "-q",
                "-pl", "client-sdk,spring-boot-starter,micronaut-security,testcontainers", "-am", "deploy", "-DskipTests", "-Drevision=" + RELEASE,
                "-DaltDeploymentRepository=release::" + repository.toUri(),
                // Deployed, not installed: this machine's own repository keeps only what its builds made.
                "-Dmaven.install.skip=true"));
        assertThat(source.resolve("service/target")).as("the service was not built").doesNotExist();
        assertThat(source.resolve("bench/target")).as("the bench was not built").doesNotExist();

        for (String artifact : PUBLISHED) {
            Path directory = repository.resolve("io/sessionauthority/" + artifact + "/" + RELEASE);
            String base = artifact + "-" + RELEASE;
            for (String file : List.of(base + ".jar", base + ".pom", base + "-sources.jar", base + "-javadoc.jar")) {
                assertThat(directory.resolve(file)).exists();
                assertThat(Files.readString(directory.resolve(file + ".sha1")).trim()).as(file + ".sha1")
                        .isEqualTo(sha1(directory.resolve(file)));
                assertThat(directory.resolve(file + ".md5")).exists();
            }
            String pom = Files.readString(directory.resolve(base + ".pom"));
            assertThat(pom).as(artifact + "'s published POM")
                    .contains("<version>" + RELEASE + "</version>").doesNotContain("<parent>").doesNotContain("${").doesNotContain("SNAPSHOT");
            if (!artifact.endsWith("micronaut-security")) {
                assertThat(pom).as(artifact + "'s published POM").doesNotContain("micronaut");
            }
            if (MODULE_NAMES.containsKey(artifact)) {
                try (JarFile jar = new JarFile(directory.resolve(base + ".jar").toFile())) {
                    assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).as(artifact)
                            .isEqualTo(MODULE_NAMES.get(artifact));
                }
            }
        }
        try (Stream<Path> deployed = Files.list(repository.resolve("io/sessionauthority"))) {
            assertThat(deployed.map(path -> path.getFileName().toString())).containsExactlyInAnyOrderElementsOf(PUBLISHED);
        }

        Path consumer = consumerProject(work.resolve("consumer"));
        Path springConsumer = springConsumerProject(work.resolve("spring-consumer"));
        Files.writeString(work.resolve("settings.xml"), settings(repository, Path.of(System.getProperty("user.home"), ".m2", "repository")));
        Path local = work.resolve("empty-local-repository");
        Path springLocal = work.resolve("empty-local-repository-spring");
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int port = RedisServerProcess.freePort();
            ServiceProcess authority = ServiceProcess.start(redis, port, "release");
            try {
                run(work, "consumer", consumer, List.of(ROOT.resolve("mvnw").toString(), "-B", "-s", work.resolve("settings.xml").toString(),
                        "-Dmaven.repo.local=" + local, "-Dauthority.target=127.0.0.1:" + port, "test"));
                run(work, "spring-consumer", springConsumer, List.of(ROOT.resolve("mvnw").toString(), "-B", "-s",
                        work.resolve("settings.xml").toString(), "-Dmaven.repo.local=" + springLocal, "-Dauthority.target=127.0.0.1:" + port, "test"));
            } finally {
                authority.kill();
            }
        }
        assertThat(consumer.resolve("target/surefire-reports/TEST-example.ConsumerTest.xml")).content()
                .contains("tests=\"1\"").contains("failures=\"0\"").contains("errors=\"0\"");
        assertThat(springConsumer.resolve("target/surefire-reports/TEST-example.SpringConsumerTest.xml")).content()
                .contains("tests=\"1\"").contains("failures=\"0\"").contains("errors=\"0\"");
        assertThat(groupsIn(springLocal)).as("the Spring Boot consumer's artifacts").contains("io.sessionauthority", "org.springframework.boot")
                .noneMatch(group -> group.startsWith("io.micronaut"));

        Set<String> fetched = groupsIn(local);
        System.out.println("the consumer fetched groups: " + fetched);
        assertThat(fetched).contains("io.grpc", "com.google.protobuf", "io.sessionauthority")
                .noneMatch(group -> group.startsWith("io.micronaut") || group.startsWith("io.netty")); // the shaded transport carries its own Netty
    }

    /** The root build files and the consumer-facing modules in full; of the rest only their POMs. */
    private static Path copyOfWhatTheReleaseNeeds(Path copy) throws IOException {
        for (String file : List.of("pom.xml", "mvnw", ".mvn")) {
            copyTree(ROOT.resolve(file), copy.resolve(file));
        }
        // test-authority is a test dependency of the integrations, so the reactor builds it (and deploys nothing of it).
        for (String module : List.of("proto", "revocation-cache", "client-sdk", "test-authority", "spring-boot-starter", "micronaut-security",
                "testcontainers")) {
            copyTree(ROOT.resolve(module), copy.resolve(module));
        }
        for (String module : List.of("service", "client-sdk-tests", "bench")) {
            copyTree(ROOT.resolve(module).resolve("pom.xml"), copy.resolve(module).resolve("pom.xml"));
        }
        return copy;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path relative = from.relativize(file);
                if (relative.startsWith("target") || relative.toString().endsWith(".flattened-pom.xml")) {
                    continue;
                }
                Path target = relative.toString().isEmpty() ? to : to.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void run(Path work, String name, Path directory, List<String> command) throws Exception {
        Path log = work.resolve(name + ".log");
        Process maven = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(maven.waitFor(10, TimeUnit.MINUTES)).as(name + " finished").isTrue();
        assertThat(maven.exitValue()).as(name + ": " + Files.readString(log)).isZero();
    }

    private static String sha1(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
    }

    /** The groups of every jar the consumer's build fetched, plugins included. */
    private static Set<String> groupsIn(Path repository) throws IOException {
        Set<String> groups = new TreeSet<>();
        try (Stream<Path> files = Files.walk(repository)) {
            files.filter(path -> path.getFileName().toString().endsWith(".jar")).forEach(jar -> {
                Path artifactDir = jar.getParent().getParent();
                groups.add(repository.relativize(artifactDir.getParent()).toString().replace('/', '.'));
            });
        }
        return groups;
    }

    /** A project that knows nothing of this repository: the coordinates docs/USING.md gives, and a test. */
    private static Path consumerProject(Path consumer) throws IOException {
        String junit = Test.class.getPackage().getImplementationVersion();
        Files.createDirectories(consumer.resolve("src/test/java/example"));
        Files.writeString(consumer.resolve("pom.xml"), """
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
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter-engine</artifactId>
                      <version>%s</version>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>
                %s
                """.formatted(RELEASE, junit, CONSUMER_BUILD));
        Files.writeString(consumer.resolve("src/test/java/example/ConsumerTest.java"), """
                package example;

                import static org.junit.jupiter.api.Assertions.assertFalse;
                import static org.junit.jupiter.api.Assertions.assertTrue;

                import io.sessionauthority.client.ClientInfo;
                import io.sessionauthority.client.SessionAuthorityClient;
                import java.time.Duration;
                import org.junit.jupiter.api.Test;

                class ConsumerTest {

                    @Test
                    void aSessionValidatesUntilItIsRevoked() {
                        try (SessionAuthorityClient client = SessionAuthorityClient.builder(System.getProperty("authority.target"))
                                .plaintext().build()) {
                            client.awaitReady(Duration.ofSeconds(30));
                            client.createUser("release-consumer", "correct horse battery staple");
                            String token = client.login("release-consumer", "correct horse battery staple",
                                    ClientInfo.none()).token();
                            assertTrue(client.validate(token).isValid());
                            client.revokeToken(token);
                            assertFalse(client.validate(token).isValid());
                        }
                    }
                }
                """);
        return consumer;
    }

    /**
     * A Spring Boot application as the starter's README says to write one: its dependency, the
     * documented chain, two properties; its test logs in, reads its own endpoint, revokes, and is refused.
     */
    private static Path springConsumerProject(Path consumer) throws IOException {
        // The Spring Boot the starter is built and tested with, from its own POM.
        java.util.regex.Matcher bootVersion = java.util.regex.Pattern.compile("<spring-boot.version>([^<]+)</spring-boot.version>")
                .matcher(Files.readString(ROOT.resolve("spring-boot-starter/pom.xml")));
        assertThat(bootVersion.find()).as("spring-boot.version in the starter's POM").isTrue();
        Files.createDirectories(consumer.resolve("src/main/java/example"));
        Files.createDirectories(consumer.resolve("src/test/java/example"));
        Files.writeString(consumer.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>spring-consumer</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>org.springframework.boot</groupId>
                        <artifactId>spring-boot-dependencies</artifactId>
                        <version>%s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency>
                      <groupId>io.sessionauthority</groupId>
                      <artifactId>session-authority-spring-boot-starter</artifactId>
                      <version>%s</version>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-web</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-security</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-test</artifactId>
                      <scope>test</scope>
                    </dependency>
                  </dependencies>
                %s
                """.formatted(bootVersion.group(1), RELEASE, CONSUMER_BUILD));
        Files.writeString(consumer.resolve("src/main/java/example/App.java"), """
                package example;

                import io.sessionauthority.client.SessionInfo;
                import io.sessionauthority.spring.SessionAuthorityConfigurer;
                import org.springframework.boot.autoconfigure.SpringBootApplication;
                import org.springframework.context.annotation.Bean;
                import org.springframework.security.config.Customizer;
                import org.springframework.security.config.annotation.web.builders.HttpSecurity;
                import org.springframework.security.core.annotation.AuthenticationPrincipal;
                import org.springframework.security.web.SecurityFilterChain;
                import org.springframework.web.bind.annotation.GetMapping;
                import org.springframework.web.bind.annotation.RestController;

                @SpringBootApplication
                @RestController
                public class App {

                    @Bean
                    SecurityFilterChain api(HttpSecurity http) throws Exception {
                        return http
                                .authorizeHttpRequests(a -> a.requestMatchers("/error").permitAll().anyRequest().authenticated())
                                .with(SessionAuthorityConfigurer.sessionAuthority(), Customizer.withDefaults())
                                .build();
                    }

                    @GetMapping("/me")
                    String me(@AuthenticationPrincipal SessionInfo session) {
                        return session.username();
                    }
                }
                """);
        Files.writeString(consumer.resolve("src/test/java/example/SpringConsumerTest.java"), """
                package example;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import io.sessionauthority.client.ClientInfo;
                import io.sessionauthority.client.SessionAuthorityClient;
                import java.net.URI;
                import java.net.http.HttpClient;
                import java.net.http.HttpRequest;
                import java.net.http.HttpResponse;
                import org.junit.jupiter.api.Test;
                import org.springframework.beans.factory.annotation.Autowired;
                import org.springframework.boot.test.context.SpringBootTest;
                import org.springframework.boot.test.web.server.LocalServerPort;
                import org.springframework.test.context.DynamicPropertyRegistry;
                import org.springframework.test.context.DynamicPropertySource;

                @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
                class SpringConsumerTest {

                    @DynamicPropertySource
                    static void authority(DynamicPropertyRegistry properties) {
                        properties.add("session-authority.client.target", () -> System.getProperty("authority.target"));
                        properties.add("session-authority.client.plaintext", () -> "true");
                    }

                    @Autowired
                    SessionAuthorityClient client;

                    @LocalServerPort
                    int port;

                    @Test
                    void anEndpointSeesTheSessionUntilItIsRevoked() throws Exception {
                        client.createUser("spring-consumer", "correct horse battery staple");
                        String token = client.login("spring-consumer", "correct horse battery staple", ClientInfo.none()).token();
                        assertEquals(200, me(token).statusCode());
                        assertEquals("spring-consumer", me(token).body());
                        client.revokeToken(token);
                        assertEquals(401, me(token).statusCode());
                    }

                    private HttpResponse<String> me(String token) throws Exception {
                        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/me"))
                                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                    }
                }
                """);
        return consumer;
    }

    /** This machine's Maven cache stands in for Central (no network); Session Authority comes from the release alone. */
    private static String settings(Path release, Path cache) {
        return """
                <settings>
                  <mirrors>
                    <mirror><id>cache-as-central</id><mirrorOf>central</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                  <profiles>
                    <profile>
                      <id>release</id>
                      <repositories>
                        <repository><id>release</id><url>%s</url></repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>release</activeProfile></activeProfiles>
                </settings>
                """.formatted(cache.toUri(), release.toUri());
    }
}
