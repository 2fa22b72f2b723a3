package io.sessionauthority.service.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.SentinelTopology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The store contract through Redis Sentinel (1 master, 2 replicas, 3 sentinels). */
@Tag("redis")
class SentinelStoreContractTest extends SessionStoreContract {

    private static SentinelTopology topology;

    @BeforeAll
    static void start() {
        assumeTrue(RedisServerProcess.onPath("redis-server"), "Sentinel needs redis-server on the PATH");
        topology = SentinelTopology.start();
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @Override
    protected DomainFixture newDomain() {
        return new DomainFixture(topology.uri());
    }
}
