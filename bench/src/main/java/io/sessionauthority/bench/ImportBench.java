package io.sessionauthority.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sessionauthority.client.ImportSummary;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.v1.ImportUsersRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * Importing users with their existing password hashes (ImportUsers), two ways:
 *
 * <ul>
 *   <li>a migration: {@code import --file users.tsv --target host:port}, one user per line
 *       ({@code username<TAB>password_hash}), streamed in constant memory with progress lines and a
 *       summary. After a failure, run the same command again: existing users are skipped;</li>
 *   <li>a measurement: {@code import --users 100000} against a redis-server and service of its own,
 *       printing users/s, Redis bytes per user, and the same file sent again (the resume).</li>
 * </ul>
 */
final class ImportBench {

    private static final String BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private ImportBench() {
    }

    /** Streams {@code file} to the authority at {@code target}; answers the summary. */
    static ImportSummary fromFile(Path file, SessionAuthorityClient client) throws IOException {
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long started = System.nanoTime();
            ImportSummary summary = client.importUsers(users(lines), sent -> System.out.printf(Locale.ROOT,
                    "  %,d users sent (%.0f/s)%n", sent, sent / seconds(started)), Duration.ofHours(1));
            print(summary, seconds(started));
            return summary;
        }
    }

    /** One request per line, {@code username<TAB>password_hash}; blank lines and lines starting with '#' are skipped. */
    static Iterator<ImportUsersRequest> users(BufferedReader lines) {
        return new Iterator<>() {
            private ImportUsersRequest next = read();

            private ImportUsersRequest read() {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.isBlank() || line.startsWith("#")) {
                            continue;
                        }
                        int tab = line.indexOf('\t');
                        // A line without a tab is sent as a username without a hash: the authority refuses it, by its position.
                        return ImportUsersRequest.newBuilder().setUsername(tab < 0 ? line : line.substring(0, tab))
                                .setPasswordHash(tab < 0 ? "" : line.substring(tab + 1).strip()).build();
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public ImportUsersRequest next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                ImportUsersRequest current = next;
                next = read();
                return current;
            }
        };
    }

    /** The measurement: {@code users} users (bcrypt hashes of random salts, as a real export has) into a fresh Redis. */
    static void measure(int users) throws Exception {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            int port = processes.service(Bench.serviceJar(), redis, List.of("-Dsession-authority.login-throttle.enabled=false"));
            try (RedisClient redisClient = RedisClient.create("redis://127.0.0.1:" + redis);
                 StatefulRedisConnection<String, String> connection = redisClient.connect();
                 SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext().build()) {
                client.awaitReady(Duration.ofSeconds(30));
                List<ImportUsersRequest> file = generated(users);
                long before = usedMemory(connection);
                long started = System.nanoTime();
                ImportSummary first = client.importUsers(file.iterator(), sent -> { }, Duration.ofHours(1));
                double firstSeconds = seconds(started);
                long after = usedMemory(connection);
                started = System.nanoTime();
                ImportSummary again = client.importUsers(file.iterator(), sent -> { }, Duration.ofHours(1));
                double againSeconds = seconds(started);
                System.out.printf(Locale.ROOT, "- Import of %,d users (bcrypt hashes, one ImportUsers stream): %.1f s, **%,.0f users/s**; "
                                + "Redis %.0f bytes per user (used_memory growth); imported %,d, skipped %,d, refused %,d.%n",
                        users, firstSeconds, users / firstSeconds, (after - before) / (double) users, first.imported(),
                        first.skippedExisting(), first.refused());
                System.out.printf(Locale.ROOT, "- The same file again (a resumed import): %.1f s, %,.0f users/s; imported %,d, skipped %,d.%n",
                        againSeconds, users / againSeconds, again.imported(), again.skippedExisting());
            }
        }
    }

    private static List<ImportUsersRequest> generated(int users) {
        SecureRandom random = new SecureRandom();
        return IntStream.range(0, users).mapToObj(i -> {
            StringBuilder hash = new StringBuilder("{bcrypt}$2a$10$");
            for (int c = 0; c < 53; c++) {
                hash.append(BCRYPT_ALPHABET.charAt(random.nextInt(BCRYPT_ALPHABET.length())));
            }
            return ImportUsersRequest.newBuilder().setUsername(String.format(Locale.ROOT, "migrated-%07d", i))
                    .setPasswordHash(hash.toString()).build();
        }).toList();
    }

    private static long usedMemory(StatefulRedisConnection<String, String> connection) {
        for (String line : connection.sync().info("memory").split("\\R")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory in INFO");
    }

    private static void print(ImportSummary summary, double seconds) {
        System.out.printf(Locale.ROOT, "imported %,d, skipped (already there) %,d, refused %,d in %.1f s%n", summary.imported(),
                summary.skippedExisting(), summary.refused(), seconds);
        summary.refusals().forEach(refusal -> System.out.printf(Locale.ROOT, "  refused #%d %s: %s (%s)%n", refusal.index(),
                refusal.username(), refusal.message(), refusal.reason()));
        if (summary.refusals().size() < summary.refused()) {
            System.out.printf(Locale.ROOT, "  … and %,d more refusals%n", summary.refused() - summary.refusals().size());
        }
    }

    private static double seconds(long startedNanos) {
        return Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
    }
}
