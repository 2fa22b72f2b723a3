package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The production entry point turns Netty's leak sampling off, unless the operator asked for a level. */
@Tag("unit")
class ApplicationTest {

    private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();

    @AfterEach
    void restore() {
        System.clearProperty("io.netty.leakDetection.level");
        System.clearProperty("io.netty.leakDetectionLevel");
        ResourceLeakDetector.setLevel(before);
    }

    @Test
    void leakSamplingIsOffByDefault() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        Application.withoutBufferLeakSampling();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void anOperatorsLevelIsKept() {
        System.setProperty("io.netty.leakDetection.level", "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Application.withoutBufferLeakSampling();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void anOperatorsLevelUnderNettysOlderNameIsKeptToo() {
        System.setProperty("io.netty.leakDetectionLevel", "advanced");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.ADVANCED);
        Application.withoutBufferLeakSampling();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.ADVANCED);
    }
}
