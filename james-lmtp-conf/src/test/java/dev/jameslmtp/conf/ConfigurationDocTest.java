package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The operator reference, docs/configuration.md, documents every mailet parameter with its
 * default (in a {@code | parameter | default | meaning |} row anywhere outside the SMTP hook's
 * section, whose parameters share some names but not their defaults).
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String HOOK_SECTION = "## VerifyRecipientInStore SMTP hook";
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9]+)` \\| (.+?) \\| .+\\|$");

    @Test
    void docShouldListEveryMailetParameterWithItsDefault() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        boolean inHookSection = false;
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inHookSection = line.strip().equals(HOOK_SECTION);
            }
            Matcher row = ROW.matcher(line.strip());
            if (!inHookSection && row.matches()) {
                documented.putIfAbsent(row.group(1), row.group(2).replace("`", "").strip());
            }
        }

        Map<String, String> expected = new LinkedHashMap<>();
        for (Parameter parameter : Parameter.values()) {
            expected.put(parameter.key(), parameter.documentedDefault());
        }
        Map<String, String> found = new LinkedHashMap<>();
        expected.keySet().forEach(key -> found.put(key, documented.get(key)));
        assertThat(found).as("rows of %s (parameter -> documented default)", DOC).containsExactlyEntriesOf(expected);
    }
}
