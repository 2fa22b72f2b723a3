package io.sessionauthority.bench;

import io.sessionauthority.client.SessionAuthorityClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The second SDK instance of the revocation-visibility benchmark, in a JVM of its own: it caches
 * the tokens it is given, serves a steady load of cached validations over them, and on
 * {@code watch <i>} spins on token i until the authority's revocation reaches its cache, then
 * prints when ({@link System#nanoTime()}, which on Linux is one monotonic clock for every process
 * of the machine, so the parent can subtract its own readings).
 *
 * <p>Protocol on stdin/stdout: the parent writes tokens, one per line, then {@code go}; the agent
 * answers {@code ready}. Then {@code watch <i>} is answered {@code watching <i>}, and later
 * {@code refused <i> <nanoTime>}; {@code stats} is answered {@code validations-per-second <n>};
 * {@code quit} ends it.
 */
public final class VisibilityAgent {

    private VisibilityAgent() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int backgroundRate = Integer.parseInt(args[1]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<String> tokens = new ArrayList<>();
        for (String line = in.readLine(); line != null && !line.equals("go"); line = in.readLine()) {
            tokens.add(line);
        }
        try (SessionAuthorityClient client = SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext()
                .deadline(Duration.ofSeconds(5)).validationCache(100_000, Duration.ofMinutes(10)).build()) {
            while (!client.revocationStreamHealthy()) {
                Thread.sleep(10);
            }
            for (String token : tokens) {
                if (!client.validate(token).isValid()) {
                    throw new IllegalStateException("a token was not valid at the start");
                }
            }
            AtomicLong validations = new AtomicLong();
            Thread background = new Thread(() -> backgroundLoad(client, tokens, backgroundRate, validations), "background-load");
            background.setDaemon(true);
            background.start();
            System.out.println("ready");
            System.out.flush();
            long statsFrom = System.nanoTime();
            long statsCount = 0;
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                if (line.startsWith("watch ")) {
                    int index = Integer.parseInt(line.substring(6));
                    String token = tokens.get(index);
                    System.out.println("watching " + index);
                    System.out.flush();
                    while (client.validate(token).isValid()) {
                        validations.incrementAndGet();
                        Thread.onSpinWait();
                    }
                    long refused = System.nanoTime();
                    System.out.println("refused " + index + " " + refused);
                    System.out.flush();
                } else if (line.equals("stats")) {
                    long now = System.nanoTime();
                    long count = validations.get();
                    System.out.println("validations-per-second " + (count - statsCount) * 1_000_000_000L / Math.max(1, now - statsFrom));
                    System.out.flush();
                    statsFrom = now;
                    statsCount = count;
                }
            }
        }
    }

    /** Cached validations over every token at a steady rate, as a service under traffic would make. */
    private static void backgroundLoad(SessionAuthorityClient client, List<String> tokens, int perSecond, AtomicLong validations) {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        int i = 0;
        while (true) {
            client.validate(tokens.get(i++ % tokens.size()));
            validations.incrementAndGet();
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 200_000) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }
}
