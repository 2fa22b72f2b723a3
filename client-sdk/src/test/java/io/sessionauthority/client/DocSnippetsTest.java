package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The docs' code must be code the tests compile and run, so it cannot rot: every ```java block in
 * every README and page under docs/ follows a {@code <!-- snippet: NAME -->} comment, and equals the
 * region between {@code // README:NAME:begin} and {@code // README:NAME:end} in a module's test sources.
 */
@Tag("unit")
class DocSnippetsTest {

    private static final Path ROOT = Path.of("..");
    private static final List<Path> SOURCES = List.of(ROOT.resolve("client-sdk/src/test/java"), ROOT.resolve("client-sdk-tests/src/test/java"),
            ROOT.resolve("spring-boot-starter/src/test/java"), ROOT.resolve("micronaut-security/src/test/java"),
            ROOT.resolve("testcontainers/src/test/java"));
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?:<!-- snippet: ([\\w-]+) -->\\s*)?```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaBlockInTheDocsIsACompiledExample() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            Matcher block = JAVA_BLOCK.matcher(Files.readString(doc));
            while (block.find()) {
                String name = block.group(1);
                if (name == null) {
                    problems.add(doc + ": a java block without a snippet marker");
                    continue;
                }
                String example = marked(name);
                if (example == null) {
                    problems.add(doc + ": no test source marks snippet " + name);
                } else if (!normalized(block.group(2)).equals(normalized(example))) {
                    problems.add(doc + ": snippet " + name + " differs from its compiled example");
                }
                checked++;
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("the docs' snippets were found").isGreaterThanOrEqualTo(4);
    }

    /** README.md, CONTRIBUTING.md, every page under docs/ and every module's README. */
    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
        try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
            pages.filter(page -> page.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.map(module -> module.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The region marked {@code name} in the test sources, or null. */
    private static String marked(String name) throws IOException {
        for (Path sources : SOURCES) {
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file);
                    int begin = source.indexOf("// README:" + name + ":begin");
                    int end = source.indexOf("// README:" + name + ":end");
                    if (begin >= 0 && end > begin) {
                        return source.substring(source.indexOf('\n', begin) + 1, end);
                    }
                }
            }
        }
        return null;
    }

    /** Same code, whatever the indentation: strip each line and drop blank ones. */
    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
