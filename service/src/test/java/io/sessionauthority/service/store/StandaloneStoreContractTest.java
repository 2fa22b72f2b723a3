package io.sessionauthority.service.store;

import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import org.junit.jupiter.api.Tag;

/** The store contract on one Redis server. */
@Tag("redis")
class StandaloneStoreContractTest extends SessionStoreContract {

    @Override
    protected DomainFixture newDomain() {
        return new DomainFixture(RedisServerProcess.shared().uri());
    }
}
