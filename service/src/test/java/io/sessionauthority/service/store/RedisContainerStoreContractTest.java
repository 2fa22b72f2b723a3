package io.sessionauthority.service.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.testing.ContainerImages;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The store contract on Redis in a container (Testcontainers), where a Docker engine runs: the same
 * suite as on a local redis-server process, so a Redis that users run in containers is held to it
 * too. It shares the host's network (these machines allow no bridge networks), on a free port.
 */
@Tag("redis")
class RedisContainerStoreContractTest extends SessionStoreContract {

    private static GenericContainer<?> redis;
    private static int port;

    @BeforeAll
    static void startRedisContainer() {
        assumeTrue(ContainerImages.canRun("SESSION_AUTHORITY_REDIS_IMAGE", "Redis container tests"));
        port = RedisServerProcess.freePort();
        redis = new GenericContainer<>(DockerImageName.parse(ContainerImages.redisImage().orElseThrow()))
                .withNetworkMode("host")
                .withCommand("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--maxmemory-policy", "noeviction")
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
        redis.start();
    }

    @AfterAll
    static void stopRedisContainer() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Override
    protected DomainFixture newDomain() {
        return new DomainFixture("redis://127.0.0.1:" + port);
    }
}
