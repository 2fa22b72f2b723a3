package io.sessionauthority.spring;

import static org.awaitility.Awaitility.await;

import io.sessionauthority.client.AlreadyExistsException;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.UnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** Calls the process tests make to the authority they started, patient with a busy machine. */
final class AuthorityCalls {

    private AuthorityCalls() {
    }

    /** Login and CreateUser hash a password: on a busy machine one may miss its deadline, so try again. */
    static <T> T retryingWhileUnavailable(Supplier<T> call) {
        AtomicReference<T> result = new AtomicReference<>();
        await("an answer from Session Authority").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                result.set(call.get());
                return true;
            } catch (UnavailableException busy) {
                return false;
            }
        });
        return result.get();
    }

    /** Creates the user, once: a retried attempt may find it created by the one that timed out. */
    static void createUser(SessionAuthorityClient admin, String username, String password) {
        retryingWhileUnavailable(() -> {
            try {
                return admin.createUser(username, password);
            } catch (AlreadyExistsException createdByAnEarlierAttempt) {
                return null;
            }
        });
    }
}
