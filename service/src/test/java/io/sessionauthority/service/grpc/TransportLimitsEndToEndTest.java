package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.sessionauthority.service.config.GrpcServerLimits;
import io.sessionauthority.service.testing.Await;
import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/** Limits that hold for every caller, before anyone is authenticated: connections, and the one log pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportLimitsEndToEndTest {

    private RedisServerProcess redis;
    private ServiceUnderTest service;

    @BeforeAll
    void start() {
        redis = RedisServerProcess.start();
        service = ServiceUnderTest.start(redis.uri(), Map.of("session-authority.grpc.max-connections", 4));
    }

    @AfterAll
    void stop() {
        service.close();
        redis.close();
    }

    private boolean healthAnswers(ManagedChannel channel) {
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException refused) {
            return false;
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAndFreedSlotsServeAgain() {
        GrpcServerLimits limits = service.bean(GrpcServerLimits.class);
        service.channel().shutdownNow(); // the harness' own connection would take a slot
        Await.until("the harness connection closed", Duration.ofSeconds(10), () -> limits.openConnections() == 0);
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            int answered = 0;
            for (int i = 0; i < 10; i++) {
                ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
                channels.add(channel);
                answered += healthAnswers(channel) ? 1 : 0;
            }
            assertThat(answered).isEqualTo(4);
            assertThat(limits.openConnections()).isEqualTo(4);

            channels.get(0).shutdownNow();
            Await.until("a slot freed", Duration.ofSeconds(10), () -> limits.openConnections() == 3);
            ManagedChannel late = ManagedChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
            channels.add(late);
            assertThat(healthAnswers(late)).isTrue();
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    @Test
    void javaUtilLoggingGoesThroughLogbackAndRepeatedTransportLinesAreRateLimited() {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Logger logback = (Logger) LoggerFactory.getLogger("io.grpc.netty.FloodOfBrokenConnections");
        logback.addAppender(lines);
        try {
            java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.grpc.netty.FloodOfBrokenConnections");
            for (int i = 0; i < 500; i++) {
                jul.warning("connection " + i + " reset by peer");
            }
            assertThat(lines.list).isNotEmpty().hasSizeLessThanOrEqualTo(10)
                    .allSatisfy(line -> assertThat(line.getFormattedMessage()).contains("reset by peer"));
        } finally {
            logback.detachAppender(lines);
        }
    }
}
