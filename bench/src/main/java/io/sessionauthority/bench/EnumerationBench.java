package io.sessionauthority.bench;

import io.sessionauthority.client.ClientInfo;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.UnauthenticatedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Does Login's timing tell whether a username exists? Alternates logins for unknown usernames and
 * wrong passwords of a real user, one at a time (no queueing), and prints the median and p90 of
 * each and their ratio. The goal: medians within 10% of each other.
 */
final class EnumerationBench {

    record Result(double unknownMedianMs, double wrongMedianMs, double unknownP90Ms, double wrongP90Ms) {
        double ratio() {
            return unknownMedianMs / wrongMedianMs;
        }

        boolean withinTenPercent() {
            return Math.abs(ratio() - 1.0) <= 0.10;
        }
    }

    private EnumerationBench() {
    }

    static Result run(SessionAuthorityClient client, int rounds, int warmup) {
        String password = "correct horse battery staple";
        client.createUser("enumeration-bench", password);
        List<Double> unknown = new ArrayList<>();
        List<Double> wrong = new ArrayList<>();
        for (int i = 0; i < warmup + rounds; i++) {
            // Every unknown name is new, as an attacker's list would be; wrong passwords differ too.
            double u = timeFailedLogin(client, "nobody-" + i + "-" + System.nanoTime(), password);
            double w = timeFailedLogin(client, "enumeration-bench", "wrong password " + i);
            if (i >= warmup) {
                unknown.add(u);
                wrong.add(w);
            }
        }
        return new Result(percentile(unknown, 50), percentile(wrong, 50), percentile(unknown, 90), percentile(wrong, 90));
    }

    static String report(Result result, int rounds) {
        return String.format(Locale.ROOT, """
                Login timing: unknown user vs wrong password (%d each, sequential, after warm-up)
                | case            | median ms | p90 ms |
                | --------------- | --------- | ------ |
                | unknown user    | %9.2f | %6.2f |
                | wrong password  | %9.2f | %6.2f |
                median ratio unknown / wrong = %.3f  -> %s
                """, rounds, result.unknownMedianMs(), result.unknownP90Ms(), result.wrongMedianMs(), result.wrongP90Ms(),
                result.ratio(), result.withinTenPercent() ? "within 10%: yes" : "within 10%: NO");
    }

    private static double timeFailedLogin(SessionAuthorityClient client, String username, String password) {
        long start = System.nanoTime();
        try {
            client.login(username, password, ClientInfo.none());
            throw new IllegalStateException("a login that should fail succeeded");
        } catch (UnauthenticatedException expected) {
            return (System.nanoTime() - start) / 1_000_000.0;
        }
    }

    static double percentile(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static SessionAuthorityClient client(int port) {
        return SessionAuthorityClient.builder("127.0.0.1:" + port).plaintext()
                .deadline(Duration.ofSeconds(10)).hashingDeadline(Duration.ofSeconds(10)).build();
    }
}
