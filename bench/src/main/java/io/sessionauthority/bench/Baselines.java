package io.sessionauthority.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.sessionauthority.v1.ValidateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ceilings measured in the same run: redis-benchmark on Validate's Redis work, and h2load on Validate. */
final class Baselines {

    private Baselines() {
    }

    /**
     * redis-benchmark running the validate script (EVALSHA; Validate's fallback for a session that is
     * not plainly live) on a real session's keys. Answers requests per second, without and with pipelining (16).
     */
    static double[] redisValidateCommand(int redisPort, int clients, int requests) {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            String sessionKey = redis.keys("sa:{*}:s:*").get(0);
            String uid = sessionKey.substring(sessionKey.indexOf('{') + 1, sessionKey.indexOf('}'));
            String sid = sessionKey.substring(sessionKey.lastIndexOf(':') + 1);
            String sha = redis.scriptLoad(resource("/store/prelude.lua") + "\n" + resource("/store/validate_session.lua"));
            List<String> command = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(redisPort),
                    "-c", Integer.toString(clients), "-n", Integer.toString(requests), "-q",
                    "EVALSHA", sha, "6", sessionKey, "sa:{" + uid + "}:user", "sa:{" + uid + "}:sessions", "sa:{" + uid + "}:revoked",
                    "sa:{" + uid + "}:ends", "sa:{" + uid + "}:clients",
                    sid, Long.toString(System.currentTimeMillis()), Long.toString(java.time.Duration.ofHours(1).toMillis())));
            double plain = requestsPerSecond(run(command));
            command.add(3, "-P");
            command.add(4, "16");
            double pipelined = requestsPerSecond(run(command));
            return new double[] {plain, pipelined};
        }
    }

    /** h2load driving Validate as raw gRPC (hot, or from Redis with {@code skipCache}); empty without h2load. */
    static Optional<Double> h2loadValidate(int grpcPort, String token, boolean skipCache, int connections, int streams, int requests,
                                           Path workDir) {
        return h2load(grpcPort, "/sessionauthority.v1.SessionAuthorityService/Validate",
                ValidateRequest.newBuilder().setToken(token).setSkipCache(skipCache).build().toByteArray(), connections, streams,
                requests, workDir);
    }

    /**
     * h2load's rounds (req/s per round: {hot, from Redis, health}) with what each kind of call cost
     * over its measured runs: the service's CPU and Redis' CPU, µs per call. Driven by a C client that
     * saturates the service, these are the steadiest per-call costs the bench has: the Java load
     * generator's own swings leave the service idling between calls.
     */
    record Comparison(List<double[]> rounds, double[] serviceMicros, double[] redisMicros) {
        double median(int kind) {
            return Baselines.median(rounds.stream().map(round -> round[kind]).toList());
        }
    }

    /**
     * Validate of a hot token, Validate from Redis ({@code skip_cache}) and health Check, all driven by
     * h2load: one unmeasured set to warm the JIT and the connections, then {@code rounds} interleaved
     * sets (so drift and noise hit all alike), each run's service and Redis CPU measured around it.
     * Empty without h2load.
     */
    static Optional<Comparison> h2loadValidateAgainstHealth(int grpcPort, String token, int connections, int streams, int rounds,
                                                           int requests, Path workDir, long servicePid, int redisPort) {
        if (!onPath("h2load")) {
            return Optional.empty();
        }
        h2loadValidate(grpcPort, token, false, connections, streams, requests, workDir);
        h2loadValidate(grpcPort, token, true, connections, streams, requests, workDir);
        h2loadHealth(grpcPort, connections, streams, requests, workDir);
        List<double[]> triples = new java.util.ArrayList<>();
        double[] serviceSeconds = new double[3];
        double[] redisSeconds = new double[3];
        for (int round = 0; round < rounds; round++) {
            double[] triple = new double[3];
            for (int kind = 0; kind < 3; kind++) {
                double service = PerformanceBench.serviceCpuSeconds(servicePid);
                double redis = redisCost(redisPort)[1];
                triple[kind] = switch (kind) {
                    case 0 -> h2loadValidate(grpcPort, token, false, connections, streams, requests, workDir).orElseThrow();
                    case 1 -> h2loadValidate(grpcPort, token, true, connections, streams, requests, workDir).orElseThrow();
                    default -> h2loadHealth(grpcPort, connections, streams, requests, workDir).orElseThrow();
                };
                serviceSeconds[kind] += PerformanceBench.serviceCpuSeconds(servicePid) - service;
                redisSeconds[kind] += redisCost(redisPort)[1] - redis;
            }
            triples.add(triple);
        }
        double calls = (double) requests * rounds;
        double[] serviceMicros = new double[3];
        double[] redisMicros = new double[3];
        for (int kind = 0; kind < 3; kind++) {
            serviceMicros[kind] = serviceSeconds[kind] / calls * 1e6;
            redisMicros[kind] = redisSeconds[kind] / calls * 1e6;
        }
        return Optional.of(new Comparison(triples, serviceMicros, redisMicros));
    }

    /**
     * redis-benchmark on the two reads of Validate's pipelined read, each on a real session's keys
     * (HGETALL of the session, HMGET of the user's generation); Redis runs them one after the other,
     * so their combined ceiling is 1 / (1/a + 1/b). Answers {HGETALL, HMGET, combined} req/s, 50 clients.
     */
    static double[] redisValidateReads(int redisPort, int clients, int requests) {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            String sessionKey = connection.sync().keys("sa:{*}:s:*").get(0);
            String uid = sessionKey.substring(sessionKey.indexOf('{') + 1, sessionKey.indexOf('}'));
            List<String> base = List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(redisPort),
                    "-c", Integer.toString(clients), "-n", Integer.toString(requests), "-q");
            List<String> hgetall = new ArrayList<>(base);
            hgetall.addAll(List.of("HGETALL", sessionKey));
            List<String> hmget = new ArrayList<>(base);
            hmget.addAll(List.of("HMGET", "sa:{" + uid + "}:user", "gen", "genk"));
            double a = requestsPerSecond(run(hgetall));
            double b = requestsPerSecond(run(hmget));
            return new double[] {a, b, 1 / (1 / a + 1 / b)};
        }
    }

    /**
     * Redis's own cost so far, cumulative (take differences): {microseconds spent running Validate's
     * commands (commandstats: HGETALL, HMGET, EVALSHA, EVAL), the process's CPU seconds (user + sys,
     * which also pays for the network I/O)}.
     */
    static double[] redisCost(int redisPort) {
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
             StatefulRedisConnection<String, String> connection = client.connect()) {
            String stats = connection.sync().info("commandstats");
            double micros = 0;
            for (String line : stats.split("\\R")) {
                Matcher m = Pattern.compile("^cmdstat_(hgetall|hmget|evalsha|eval):calls=\\d+,usec=(\\d+),").matcher(line);
                if (m.find()) {
                    micros += Double.parseDouble(m.group(2));
                }
            }
            String cpu = connection.sync().info("cpu");
            double seconds = 0;
            for (String line : cpu.split("\\R")) {
                if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                    seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new double[] {micros, seconds};
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new java.util.ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** h2load driving the health Check: the gRPC ceiling as a lightweight client sees it. */
    static Optional<Double> h2loadHealth(int grpcPort, int connections, int streams, int requests, Path workDir) {
        return h2load(grpcPort, "/grpc.health.v1.Health/Check", new byte[0], connections, streams, requests, workDir);
    }

    private static Optional<Double> h2load(int grpcPort, String path, byte[] message, int connections, int streams, int requests,
                                           Path workDir) {
        if (!onPath("h2load")) {
            return Optional.empty();
        }
        ByteBuffer frame = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message);
        Path body = workDir.resolve(path.substring(path.lastIndexOf('/') + 1) + "-request.bin");
        try {
            Files.write(body, frame.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String output = run(List.of("h2load", "-n", Integer.toString(requests), "-c", Integer.toString(connections),
                "-m", Integer.toString(streams), "-t", "1", "-H", "content-type: application/grpc", "-H", "te: trailers",
                "-d", body.toString(), "http://127.0.0.1:" + grpcPort + path));
        Matcher m = Pattern.compile("finished in [0-9.]+\\w+, ([0-9.]+) req/s").matcher(output);
        Matcher ok = Pattern.compile("status codes: (\\d+) 2xx").matcher(output);
        if (!m.find() || !ok.find() || Long.parseLong(ok.group(1)) < requests * 0.99) {
            throw new IllegalStateException("h2load did not finish cleanly:\n" + output);
        }
        return Optional.of(Double.parseDouble(m.group(1)));
    }

    static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    private static double requestsPerSecond(String output) {
        Matcher m = Pattern.compile("([0-9.]+) requests per second").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("unexpected redis-benchmark output:\n" + output);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.MINUTES);
            return output.replace('\r', '\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = Baselines.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing " + name + " (from the service jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
