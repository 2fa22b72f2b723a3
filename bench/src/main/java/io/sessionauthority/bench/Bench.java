package io.sessionauthority.bench;

import io.sessionauthority.client.SessionAuthorityClient;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmarks of the service, run as it runs in production: a real redis-server and the service
 * jar as separate processes, driven through the client SDK over loopback.
 *
 * <pre>
 * java -jar bench/target/session-authority-bench.jar enumeration [rounds]
 * </pre>
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        String scenario = args.length > 0 ? args[0] : "help";
        switch (scenario) {
            case "enumeration" -> enumeration(args.length > 1 ? Integer.parseInt(args[1]) : 200);
            default -> {
                System.err.println("usage: java -jar bench/target/session-authority-bench.jar enumeration [rounds]");
                System.exit(2);
            }
        }
    }

    private static void enumeration(int rounds) {
        try (Processes processes = new Processes()) {
            int redis = processes.redis();
            // Throttling off: the benchmark fails hundreds of logins on purpose.
            int port = processes.service(serviceJar(), redis, List.of("-Dsession-authority.login-throttle.enabled=false"));
            try (SessionAuthorityClient client = EnumerationBench.client(port)) {
                EnumerationBench.Result result = EnumerationBench.run(client, rounds, Math.max(10, rounds / 10));
                System.out.print(EnumerationBench.report(result, rounds));
            }
        }
    }

    static Path serviceJar() {
        return Path.of(System.getProperty("session-authority.jar", "service/target/session-authority.jar"));
    }
}
