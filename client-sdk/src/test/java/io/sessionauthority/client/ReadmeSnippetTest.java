package io.sessionauthority.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The README's code must be the code the tests compile and run, so it cannot rot. */
@Tag("unit")
class ReadmeSnippetTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "io", "sessionauthority", "client", "example");

    @Test
    void useItFromYourServiceSnippetIsTheCompiledExample() throws IOException {
        assertThat(normalized(readmeBlock("use-it"))).isEqualTo(normalized(marked(EXAMPLES.resolve("ReadmeExample.java"), "use-it")));
    }

    @Test
    void currentSessionSnippetIsTheCompiledExample() throws IOException {
        assertThat(normalized(readmeBlock("current-session")))
                .isEqualTo(normalized(marked(EXAMPLES.resolve("GreeterService.java"), "current-session")));
    }

    /** The ```java block that follows the README comment {@code <!-- snippet: NAME -->}. */
    private static String readmeBlock(String name) throws IOException {
        String readme = Files.readString(README);
        Matcher m = Pattern.compile("<!-- snippet: " + Pattern.quote(name) + " -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README has a java block marked snippet: %s", name).isTrue();
        return m.group(1);
    }

    private static String marked(Path file, String name) throws IOException {
        String source = Files.readString(file);
        int begin = source.indexOf("// README:" + name + ":begin");
        int end = source.indexOf("// README:" + name + ":end");
        assertThat(begin).isNotNegative();
        assertThat(end).isGreaterThan(begin);
        return source.substring(source.indexOf('\n', begin) + 1, end);
    }

    /** Same code, whatever the indentation: strip each line and drop blank ones. */
    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
