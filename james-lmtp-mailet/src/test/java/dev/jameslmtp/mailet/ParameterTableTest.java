package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.conf.Parameter;

/** Keeps the parameter table of LmtpDelivery's Javadoc and the parser in agreement. */
class ParameterTableTest {

    private static final Path SOURCE = Path.of("src/main/java/dev/jameslmtp/mailet/LmtpDelivery.java");
    private static final Pattern ROW = Pattern.compile("<tr><td>\\{@code (\\w+)}</td><td>(.*?)</td>");

    private static Map<String, String> documentedTable() throws Exception {
        String source = Files.readString(SOURCE);
        String javadoc = source.substring(source.indexOf("/**"), source.indexOf("public class LmtpDelivery"));
        String text = Arrays.stream(javadoc.split("\n")).map(line -> line.replaceFirst("^\\s*\\*\\s?", "")).collect(Collectors.joining(" "));
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher matcher = ROW.matcher(text);
        while (matcher.find()) {
            rows.put(matcher.group(1), matcher.group(2));
        }
        return rows;
    }

    @Test
    void javadocTableShouldListExactlyTheParametersTheParserAccepts() throws Exception {
        assertThat(documentedTable().keySet()).containsExactly(Arrays.stream(Parameter.values()).map(Parameter::key).toArray(String[]::new));
    }

    @Test
    void javadocTableShouldShowTheDefaultsTheParserApplies() throws Exception {
        Map<String, String> table = documentedTable();

        for (Parameter parameter : Parameter.values()) {
            assertThat(table.get(parameter.key())).as(parameter.key()).isEqualTo(parameter.documentedDefault());
        }
    }
}
