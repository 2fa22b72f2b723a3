package io.sessionauthority.service.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sessionauthority.service.testing.ClusterTopology;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The store contract on Redis Cluster (3 masters, 3 replicas): every user's keys in one slot. */
@Tag("redis")
class ClusterStoreContractTest extends SessionStoreContract {

    private static ClusterTopology topology;

    @BeforeAll
    static void start() {
        assumeTrue(RedisServerProcess.onPath("redis-server") && RedisServerProcess.onPath("redis-cli"),
                "Cluster needs redis-server and redis-cli on the PATH");
        topology = ClusterTopology.start();
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @Override
    protected DomainFixture newDomain() {
        return DomainFixture.onCluster(topology.uris());
    }
}
