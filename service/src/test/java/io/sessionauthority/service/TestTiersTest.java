package io.sessionauthority.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every test class of every module names its tier, so that {@code -Dgroups=unit} (and the others)
 * runs what it says (CONTRIBUTING.md): a class without one would silently fall out of every tier
 * but the full build.
 */
@Tag("unit")
class TestTiersTest {

    private static final Set<String> TIERS = Set.of("unit", "redis", "end-to-end", "process");
    private static final Pattern TAG = Pattern.compile("^@Tag\\(\"([^\"]+)\"\\)$", Pattern.MULTILINE);
    private static final Pattern CONCRETE_CLASS = Pattern.compile("^(?:public |final )*class \\w+", Pattern.MULTILINE);

    @Test
    void everyTestClassHasExactlyOneTier() throws IOException {
        List<String> untiered = new ArrayList<>();
        List<Path> classes = testClasses();
        for (Path file : classes) {
            String source = Files.readString(file);
            if (!CONCRETE_CLASS.matcher(source).find()) {
                continue; // an abstract contract; its subclasses name their tier
            }
            List<String> tags = new ArrayList<>();
            Matcher tag = TAG.matcher(source);
            while (tag.find()) {
                tags.add(tag.group(1));
            }
            if (tags.size() != 1 || !TIERS.contains(tags.get(0))) {
                untiered.add(file + " " + tags);
            }
        }
        assertThat(classes).as("the test classes of every module were found").hasSizeGreaterThan(50);
        assertThat(untiered).as("test classes without exactly one of %s", TIERS).isEmpty();
    }

    private static List<Path> testClasses() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of(".."))) {
            for (Path module : modules.filter(path -> Files.isDirectory(path.resolve("src/test/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
                    files.filter(file -> file.getFileName().toString().matches(".*(Test|IT)\\.java"))
                            .filter(file -> !file.getParent().endsWith("testing")) // helpers, such as ServiceUnderTest
                            .forEach(found::add);
                }
            }
        }
        return found;
    }
}
