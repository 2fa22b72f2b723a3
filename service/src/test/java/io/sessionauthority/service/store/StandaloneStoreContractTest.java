package io.sessionauthority.service.store;

import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;

/** The store contract on one Redis server. */
class StandaloneStoreContractTest extends SessionStoreContract {

    @Override
    protected DomainFixture newDomain() {
        return new DomainFixture(RedisServerProcess.shared().uri());
    }
}
