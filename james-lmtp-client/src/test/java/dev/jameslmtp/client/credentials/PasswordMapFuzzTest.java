package dev.jameslmtp.client.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the {@link PasswordMap} parser: any text either parses or fails with a
 * {@link PasswordMapException} that names the file and a line and shows nothing of its content;
 * every entry written in the format is read back. Seeds:
 * {@code src/test/resources/dev/jameslmtp/client/credentials/PasswordMapFuzzTestInputs/}.
 */
class PasswordMapFuzzTest {

    private static final String SOURCE = "fuzz.map";
    private static final String MARKER = "nOt4LoGs";

    @FuzzTest(maxDuration = "10m")
    void parseShouldNameOnlyTheFileAndLineWhenTextIsArbitrary(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\r\n|\r|\n", -1));
        Throwable failure = catchThrowable(() -> PasswordMap.parse(lines, SOURCE));
        if (failure == null) {
            assertThat(PasswordMap.parse(lines, SOURCE).size()).isLessThanOrEqualTo(lines.size());
            return;
        }
        assertThat(failure).isExactlyInstanceOf(PasswordMapException.class);
        String message = failure.getMessage();
        assertThat(message).matches("password map " + SOURCE + ", line [1-9][0-9]*: .*");
        int number = Integer.parseInt(message.substring(("password map " + SOURCE + ", line ").length(), message.indexOf(':')));
        assertThat(number).isLessThanOrEqualTo(lines.size());
        assertThat(lines.get(number - 1).strip()).isNotEmpty().doesNotStartWith("#");
        if (!text.contains("\u212a") && !text.contains("\u0130")) { // lower-case to ASCII letters: the disguise would change keys
            // the same text with every letter and digit disguised fails with the very same message:
            // nothing of the content is in it
            Throwable disguised = catchThrowable(() -> PasswordMap.parse(List.of(disguise(text).split("\r\n|\r|\n", -1)), SOURCE));
            assertThat(disguised).isExactlyInstanceOf(PasswordMapException.class).hasMessage(message);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void parseShouldReadBackEveryEntryWritten(FuzzedDataProvider data) {
        Map<String, Credentials> written = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        int entries = data.consumeInt(0, 20);
        for (int i = 0; i < entries && data.remainingBytes() > 0; i++) {
            String key = data.consumeString(40);
            String user = data.consumeString(40);
            String password = MARKER + data.consumeString(60);
            if (!isKey(key) || !isUser(user) || !password.equals(password.strip()) || password.matches("(?s).*[\r\n].*")
                    || written.containsKey(key.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (data.consumeBoolean()) {
                lines.add(data.pickValue(List.of("", "   ", "# a comment", "\t# indented comment")));
            }
            lines.add(data.pickValue(List.of("", " ", "\t")) + key + data.pickValue(List.of(" ", "\t", "  \t ")) + user + ":" + password
                    + data.pickValue(List.of("", " ", "\t")));
            written.put(key.toLowerCase(Locale.ROOT), Credentials.of(user, password));
        }

        PasswordMap map = PasswordMap.parse(lines, SOURCE);

        assertThat(map.size()).isEqualTo(written.size());
        written.forEach((key, credentials) -> {
            Credentials read = map.lookup(List.of(key)).orElseThrow();
            assertThat(read.user()).isEqualTo(credentials.user());
            assertThat(read.password().reveal().equals(credentials.password().reveal())).as("password of " + credentials.user()).isTrue();
        });
    }

    /** Written in a map's key column: no white space that splits it, not a comment. */
    private static boolean isKey(String key) {
        return !key.isEmpty() && !key.startsWith("#") && key.equals(key.strip()) && !key.matches("(?s).*\\s.*");
    }

    private static boolean isUser(String user) {
        return !user.isEmpty() && user.equals(user.strip()) && user.indexOf(':') < 0 && user.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** Letters and digits replaced one for one (a-z and A-Z rotated by 13, 0-9 by 5), nothing else touched. */
    private static String disguise(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'a' && c <= 'z') {
                c = (char) ('a' + (c - 'a' + 13) % 26);
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) ('A' + (c - 'A' + 13) % 26);
            } else if (c >= '0' && c <= '9') {
                c = (char) ('0' + (c - '0' + 5) % 10);
            }
            out.append(c);
        }
        return out.toString();
    }
}
