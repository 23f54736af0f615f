package dev.jameslmtp.smtp;

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

/** The hook's table in docs/configuration.md lists exactly the parameters of {@link HookParameter}, with their defaults. */
class HookParameterTableTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String SECTION = "## VerifyRecipientInStore SMTP hook";
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z]+)` \\| (.+?) \\| .+\\|$");

    @Test
    void docsTableShouldListEveryHookParameterWithItsDefault() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf(SECTION);
        assertThat(start).as("section '%s' in %s", SECTION, DOC).isNotNegative();
        int end = doc.indexOf("\n## ", start + SECTION.length());
        String section = end < 0 ? doc.substring(start) : doc.substring(start, end);

        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            Matcher row = ROW.matcher(line.strip());
            if (row.matches()) {
                documented.put(row.group(1), row.group(2).replace("`", ""));
            }
        }

        Map<String, String> expected = new LinkedHashMap<>();
        for (HookParameter parameter : HookParameter.values()) {
            expected.put(parameter.key(), parameter.documentedDefault());
        }
        assertThat(documented).containsExactlyEntriesOf(expected);
    }
}
