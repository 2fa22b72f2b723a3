package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.sessionauthority.service.error.StoreUnavailableException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "OOM command not allowed when used memory > 'maxmemory'.",
            "OOM command not allowed when used memory > 'maxmemory'. script: 71e6, on @user_script:1.",
            "ERR Error running script (call to f_71e6): @user_script:1: @user_script: 1: -OOM command not allowed when used memory > 'maxmemory'.",
            "ERR Error running script (call to f_71e6): @user_script:1: @user_script: 1: -READONLY You can't write against a read only replica.",
            "LOADING Redis is loading the dataset in memory",
            "MASTERDOWN Link with MASTER is down",
            "CLUSTERDOWN The cluster is down"})
    void serverErrorsThatMeanNotNowAreUnavailable(String message) {
        Throwable translated = RedisErrors.translate(new RedisCommandExecutionException(message));
        assertThat(translated).isInstanceOf(StoreUnavailableException.class);
        // The caller is told to retry; the Redis detail stays in the log.
        assertThat(translated.getMessage()).isEqualTo("the session store is unavailable; retry shortly");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ERR Error running script (call to f_1): @user_script:3: user_script:3: attempt to compare nil with number",
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            "MOVED 3999 127.0.0.1:6381",
            "NOSCRIPT No matching script"})
    void bugsAndMisconfigurationsAreNotRetried(String message) {
        assertThat(RedisErrors.translate(new RedisCommandExecutionException(message))).isNotInstanceOf(StoreUnavailableException.class);
    }

    @org.junit.jupiter.api.Test
    void timeoutsAreUnavailable() {
        assertThat(RedisErrors.translate(new RedisCommandTimeoutException("Command timed out after 500 millisecond(s)")))
                .isInstanceOf(StoreUnavailableException.class);
    }
}
