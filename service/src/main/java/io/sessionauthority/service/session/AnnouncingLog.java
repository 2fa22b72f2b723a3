package io.sessionauthority.service.session;

import io.sessionauthority.service.revocation.Revocation;
import io.sessionauthority.service.revocation.RevocationLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The revocation log as the services that end sessions use it: an event is appended, then applied
 * to this replica's hot sessions before the caller is answered, so a revoke is seen at once by the
 * replica that made it (and by the others as their hubs read it, in milliseconds).
 */
public final class AnnouncingLog implements RevocationLog {

    private final RevocationLog log;
    private final HotSessions hot;

    public AnnouncingLog(RevocationLog log, HotSessions hot) {
        this.log = log;
        this.hot = hot;
    }

    @Override
    public CompletionStage<String> append(Revocation revocation) {
        // Applied here whether or not the append succeeded: the sessions are ended in Redis either
        // way, and this replica must not keep answering them from memory until a retry.
        return log.append(revocation).whenComplete((cursor, error) -> hot.apply(revocation));
    }

    @Override
    public CompletionStage<Page> after(String cursor, int max) {
        return log.after(cursor, max);
    }

    @Override
    public CompletionStage<List<Revocation>> await(String cursor, Duration wait) {
        return log.await(cursor, wait);
    }

    @Override
    public CompletionStage<String> end() {
        return log.end();
    }
}
