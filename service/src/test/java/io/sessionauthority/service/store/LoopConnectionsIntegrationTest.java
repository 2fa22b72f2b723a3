package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sessionauthority.service.wiring.RedisClientOptions;
import io.sessionauthority.service.session.Session;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.DomainFixture;
import io.sessionauthority.service.testing.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Validate's read on the connection of the event loop it runs on: each loop has its own, replies
 * come back on that loop, other threads and a loop whose connection is down use the shared one, and
 * the read stays exact against a revoke-all sent on another connection.
 */
@Tag("redis")
class LoopConnectionsIntegrationTest {

    private static final RedisServerProcess REDIS = RedisServerProcess.shared();

    private EventLoopGroup group;
    private RedisClient sharedClient;
    private StatefulRedisConnection<String, String> shared;
    private LoopConnections loops;

    @BeforeEach
    void setUp() {
        REDIS.flushAll();
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        sharedClient = RedisClient.create(RedisURI.create(REDIS.uri()));
        sharedClient.setOptions(RedisClientOptions.clientOptions(DomainFixture.DEFAULT_REDIS, Duration.ofMillis(500)));
        shared = sharedClient.connect();
        loops = LoopConnections.open(group, sharedClient, RedisURI.create(REDIS.uri()));
        assertThat(loops.size()).as("none before a loop reads").isZero();
        readOnEveryLoop(loops);
        Await.until("both loops connected", Duration.ofSeconds(5), () -> loops.size() == 2);
    }

    /** A first read on each loop, which starts its connection (and itself rides the shared one). */
    private void readOnEveryLoop(LoopConnections connections) {
        RedisClusterAsyncCommands<String, String> fallback = shared.async();
        for (EventLoop loop : eventLoops()) {
            try {
                assertThat(loop.submit(() -> connections.forCurrentThread(fallback)).get(5, TimeUnit.SECONDS)).isSameAs(fallback);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @AfterEach
    void tearDown() {
        loops.close();
        shared.close();
        sharedClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private List<EventLoop> eventLoops() {
        List<EventLoop> all = new ArrayList<>();
        group.forEach(executor -> all.add((EventLoop) executor));
        return all;
    }

    private RedisClusterAsyncCommands<String, String> onLoop(EventLoop loop) throws Exception {
        return loop.submit(() -> loops.forCurrentThread(shared.async())).get(5, TimeUnit.SECONDS);
    }

    @Test
    void eachLoopReadsOnAConnectionOfItsOwnAndHearsTheReplyOnItself() throws Exception {
        assertThat(loops.size()).isEqualTo(2);
        Set<Long> clientIds = new HashSet<>();
        for (EventLoop loop : eventLoops()) {
            CompletableFuture<Boolean> repliedOnLoop = new CompletableFuture<>();
            CompletableFuture<Long> clientId = new CompletableFuture<>();
            loop.execute(() -> loops.forCurrentThread(shared.async()).clientId().whenComplete((id, error) -> {
                repliedOnLoop.complete(loop.inEventLoop());
                if (error != null) {
                    clientId.completeExceptionally(error);
                } else {
                    clientId.complete(id);
                }
            }));
            assertThat(repliedOnLoop.get(5, TimeUnit.SECONDS)).as("the reply is handled on the loop that sent the read").isTrue();
            clientIds.add(clientId.get(5, TimeUnit.SECONDS));
        }
        clientIds.add(shared.sync().clientId());
        assertThat(clientIds).as("two loop connections and the shared one").hasSize(3);
    }

    @Test
    void offTheLoopsTheSharedConnectionReads() {
        RedisClusterAsyncCommands<String, String> fallback = shared.async();
        assertThat(loops.forCurrentThread(fallback)).isSameAs(fallback);
        assertThat(LoopConnections.none().forCurrentThread(fallback)).isSameAs(fallback);
    }

    @Test
    void aLoopWhoseConnectionIsDownReadsOnTheSharedOneUntilItReconnects() throws Exception {
        EventLoop loop = eventLoops().get(0);
        RedisClusterAsyncCommands<String, String> fallback = shared.async();
        RedisClusterAsyncCommands<String, String> own = onLoop(loop);
        assertThat(own).isNotSameAs(fallback);
        long ownId = own.clientId().get(5, TimeUnit.SECONDS);

        shared.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(ownId));

        Await.until("the loop reads on the shared connection", Duration.ofSeconds(5), () -> {
            try {
                return onLoop(loop) == fallback;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the loop's connection is back", Duration.ofSeconds(10), () -> {
            try {
                return onLoop(loop) != fallback;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long newId = onLoop(loop).clientId().get(5, TimeUnit.SECONDS);
        assertThat(newId).isNotEqualTo(ownId);
        assertThat(shared.sync().clientList()).as("the new connection still names itself")
                .containsPattern("id=" + newId + " .* name=" + LoopConnections.CLIENT_NAME + " ");
    }

    /** Start-up never waits for them: a Redis that is not there yet is connected to once it is. */
    @Test
    void aLoopThatCannotConnectYetReadsOnTheSharedConnectionAndConnectsOnceRedisIsThere() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (LoopConnections waiting = LoopConnections.open(group, sharedClient, RedisURI.create("redis://127.0.0.1:" + port))) {
            readOnEveryLoop(waiting);
            // Tried, failed, and tried again: the retry is what connects it once Redis is there.
            io.sessionauthority.service.testing.Await.until("a second failed attempt", java.time.Duration.ofSeconds(10),
                    () -> waiting.failedAttempts() >= 2);
            assertThat(waiting.size()).isZero();
            RedisClusterAsyncCommands<String, String> fallback = shared.async();
            assertThat(eventLoops().get(0).submit(() -> waiting.forCurrentThread(fallback)).get(5, TimeUnit.SECONDS))
                    .isSameAs(fallback);
            Process late = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Await.until("the loops connected once Redis is there", Duration.ofSeconds(10), () -> waiting.size() == 2);
            } finally {
                late.destroy();
                late.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void behindSentinelEveryReadUsesTheSharedConnection() throws Exception {
        assertThat(loops.loopCount()).as("standalone: one per loop").isEqualTo(2);
        try (LoopConnections sentinel = LoopConnections.open(group, sharedClient,
                RedisURI.create("redis-sentinel://127.0.0.1:" + REDIS.port() + "#mymaster"))) {
            assertThat(sentinel.loopCount()).isZero();
            RedisClusterAsyncCommands<String, String> fallback = shared.async();
            assertThat(eventLoops().get(0).submit(() -> sentinel.forCurrentThread(fallback)).get(5, TimeUnit.SECONDS))
                    .isSameAs(fallback);
        }
    }

    /**
     * As SessionStoreContract's race, with the reads sent from the loops on their own connections
     * and the revoke-all on the fixture's: no read begun after the revoke-all returned sees the
     * session live.
     */
    @Test
    void aReadOnALoopConnectionNeverSeesASessionLiveAfterRevokeAllReturned() throws Exception {
        RedisSessionStore store = new RedisSessionStore(shared.async(), io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"),
                DurableWrites.none(shared.async()), loops);
        EventLoop loop = eventLoops().get(1);
        int sawLive = 0;
        int sawEnded = 0;
        try (DomainFixture domain = new DomainFixture(REDIS.uri())) {
            String userId = domain.createUser("loop-reader").id();
            for (int round = 0; round < 30; round++) {
                Session session = domain.login("loop-reader").session();
                List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicLong revokedAt = new AtomicLong(Long.MAX_VALUE);
                CountDownLatch reading = new CountDownLatch(1);
                CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                    int afterRevoke = 0;
                    while (afterRevoke < 3) {
                        long began = System.nanoTime();
                        boolean live = readOnLoop(loop, store, userId, session.sessionId(), domain.clock.instant());
                        seen.add(new long[] {began, live ? 1 : 0});
                        reading.countDown();
                        if (began > revokedAt.get()) {
                            afterRevoke++;
                        }
                    }
                });
                assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
                DomainFixture.join(domain.sessions.revokeAll(userId, ""));
                revokedAt.set(System.nanoTime());
                reader.get(10, TimeUnit.SECONDS);
                for (long[] read : seen) {
                    if (read[0] > revokedAt.get()) {
                        assertThat(read[1]).as("a read begun after the revoke-all returned").isZero();
                        sawEnded++;
                    } else if (read[1] == 1) {
                        sawLive++;
                    }
                }
            }
        }
        assertThat(sawLive).isPositive();
        assertThat(sawEnded).isPositive();
    }

    private static boolean readOnLoop(EventLoop loop, RedisSessionStore store, String userId, String sessionId, Instant now) {
        CompletableFuture<Boolean> live = new CompletableFuture<>();
        loop.execute(() -> store.find(userId, sessionId, now, java.time.Duration.ofHours(1)).whenComplete((check, error) -> {
            if (error != null) {
                live.completeExceptionally(error);
            } else {
                live.complete(check.isLive());
            }
        }));
        return live.join();
    }
}
