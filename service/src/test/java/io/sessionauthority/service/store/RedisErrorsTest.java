package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.PartitionSelectorException;
import io.netty.channel.ChannelException;
import io.netty.handler.codec.DecoderException;
import io.sessionauthority.service.error.Failures;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import io.sessionauthority.service.error.StoreUnavailableException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
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

    /** Every kind of failure the Redis client hands a command, by where it comes from. */
    static Stream<Throwable> clientFailures() {
        return Stream.of(
                new RedisCommandTimeoutException("Command timed out after 500 millisecond(s)"),
                new RedisConnectionException("Unable to connect to 127.0.0.1:6379"),
                new RedisException("Currently not connected. Commands are rejected."),
                new RedisException("Connection closed"),
                new RedisCommandInterruptedException(new InterruptedException()),
                new PartitionSelectorException("Cannot determine a partition for slot 42.", null),
                new RedisBusyException("BUSY Redis is busy running a script."),
                new RedisCommandExecutionException("TRYAGAIN Multiple keys request during rehashing of slot"),
                new RedisCommandExecutionException("NOREPLICAS Not enough good replicas to write."),
                // Seen escaping as INTERNAL during Cluster failovers: the transport's own exception.
                new SocketException("Connection reset"),
                new IOException("Connection reset by peer"),
                new ClosedChannelException(),
                new CancellationException(),
                new RejectedExecutionException("event executor terminated"),
                new ChannelException("unable to create channel"),
                new DecoderException("reply cut short"),
                // As the async API delivers them: wrapped.
                new CompletionException(new SocketException("Connection reset")),
                new ExecutionException(new RedisException("Connection closed")));
    }

    @ParameterizedTest
    @MethodSource("clientFailures")
    void everyClientFailureIsUnavailableWithARetryHint(Throwable failure) {
        Throwable translated = RedisErrors.translate(Failures.unwrap(failure));
        assertThat(translated).isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the session store is unavailable; retry shortly");
    }

    @org.junit.jupiter.api.Test
    void anUnconfirmedWaitIsUnavailable() {
        // The master may have the write, but a failover can still lose it: the caller retries (a
        // repeated revoke or revocation event is harmless).
        assertThat(RedisErrors.translate(new DurableWrites.NotConfirmedException("WAIT: 0 of 1 replicas confirmed")))
                .isInstanceOf(io.sessionauthority.service.error.StoreUnavailableException.class)
                .hasMessage("the session store is unavailable; retry shortly");
    }

    @org.junit.jupiter.api.Test
    void failuresOfOurOwnCodeAreNotDisguisedAsUnavailable() {
        assertThat(RedisErrors.translate(new NullPointerException())).isNotInstanceOf(StoreUnavailableException.class);
        assertThat(RedisErrors.translate(new IllegalStateException("bad reply shape"))).isNotInstanceOf(StoreUnavailableException.class);
    }
}
