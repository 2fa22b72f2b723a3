package io.sessionauthority.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the service's CPU goes during one scenario: a JDK Flight Recorder recording of the service
 * process (started and dumped with jcmd around the scenario), summarized as the share of execution
 * samples whose top frame is in each package.
 */
final class Profiler {

    private Profiler() {
    }

    /** Asks the service for a full GC, so heap samples compare live data, not garbage. */
    static void gc(long pid) {
        jcmd(pid, "GC.run");
    }

    /** Starts a recording; answers what jcmd said (printed if the recording turns out empty). */
    static String start(long pid) {
        return jcmd(pid, "JFR.start", "name=bench", "settings=profile");
    }

    /**
     * Stops the recording and answers the top packages by share of samples; fails, with what jcmd
     * said, when it holds none (a run once printed an empty table: jcmd had not attached).
     */
    static List<Map.Entry<String, Double>> stop(long pid, Path file, int top, String started) throws IOException {
        String dumped = jcmd(pid, "JFR.dump", "name=bench", "filename=" + file.toAbsolutePath());
        jcmd(pid, "JFR.stop", "name=bench");
        if (!java.nio.file.Files.isReadable(file)) {
            throw new IllegalStateException("no recording: jcmd said " + (started + " / " + dumped).replaceAll("\\s+", " ").trim());
        }
        Map<String, Integer> byPackage = new HashMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
                    || event.getStackTrace().getFrames().isEmpty()) {
                continue;
            }
            RecordedFrame frame = event.getStackTrace().getFrames().get(0);
            String type = frame.getMethod().getType().getName();
            int dot = type.lastIndexOf('.');
            String pkg = dot < 0 ? type : type.substring(0, dot);
            byPackage.merge(pkg, 1, Integer::sum);
            total++;
        }
        if (total == 0) {
            throw new IllegalStateException("the recording holds no execution samples: jcmd said "
                    + (started + " / " + dumped).replaceAll("\\s+", " ").trim());
        }
        int samples = total;
        return byPackage.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .map(e -> Map.entry(e.getKey(), 100.0 * e.getValue() / samples))
                .collect(Collectors.toList());
    }

    private static String jcmd(long pid, String... args) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        List<String> command = new java.util.ArrayList<>(List.of(jcmd, Long.toString(pid)));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
