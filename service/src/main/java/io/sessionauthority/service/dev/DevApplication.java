package io.sessionauthority.service.dev;

import io.sessionauthority.service.Application;
import io.sessionauthority.service.jvm.IdleMemoryReturn;
import java.util.HashMap;
import java.util.Map;

/**
 * The quick start: {@code java -jar service/target/session-authority-dev.jar} runs the service on a
 * throw-away embedded Redis when none is configured. Only the dev jar has it (and the embedded Redis
 * binaries, ~27 MB for six platforms); the production jar and the image do not.
 */
public final class DevApplication {

    private DevApplication() {
    }

    public static void main(String[] args) {
        IdleMemoryReturn.applyIfUnsized(); // the quick start is exactly the java -jar nobody sized
        Map<String, Object> properties = new HashMap<>();
        EmbeddedRedis.startIfNotConfigured().ifPresent(uri -> properties.put("redis.uri", uri));
        Application.run(args, properties);
    }
}
