package dev.jameslmtp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@link QuickParse} gives picocli's values wherever it parses, and leaves picocli everything else. */
class QuickParseTest {

    private static final List<String> WORDS = List.of("-f", "--from", "a@b.test", "-t", "--to", "x@y.test", "bare@rcpt.test", "-d",
            "--destination", "inet:[127.0.0.1]:2424", "-s", "-p", "24", "-l", "lhlo.test", "-v", "--verbose", "--debug", "-C",
            "--config", "lmtp.conf", "--timeout", "30s", "--chunking", "--no-chunking", "--skip-5xx-greeting",
            "--no-skip-5xx-greeting", "-a", "--auth", "--user", "bob", "--password-map", "--require-auth", "--tls", "verify",
            "--starttls", "--tls-ca", "ca.pem", "--tls-key", "--sasl-mechanisms", "SCRAM-SHA-256", "--sasl-scram-max-iterations",
            "<>", "a=b", "", "-", "--", "-5", "-fa@b.test", "--from=a@b.test", "-va", "-x", "--no-verbose", "-h", "--version",
            "--chunking=false", "-Cx", "nul\0path");

    /** picocli's values for {@code args}, or null where it refuses them; help and version as values too. */
    private static Map<String, Object> picocli(String[] args) {
        CommandLine commandLine = new CommandLine(CommandModel.spec());
        commandLine.setExpandAtFiles(false);
        try {
            return CommandModel.values(commandLine.parseArgs(args));
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    @Test
    void theBenchmarksAndTheTutorialsCommandLinesShouldBeParsedWithoutPicocli() {
        Map<String, Object> values = QuickParse.parse("-d", "inet:[127.0.0.1]:2424", "-f", "sender@sender.test", "-t", "user@store.test");

        assertThat(values).isEqualTo(Map.of("--destination", "inet:[127.0.0.1]:2424", "--from", "sender@sender.test",
                "--to", List.of("user@store.test")));
        assertThat(QuickParse.parse(DebugSwitch.rewrite("-d", "-f", "a@b.test", "-t", "c@d.test", "e@f.test", "-C", "lmtp.conf",
                "--no-chunking"))).isEqualTo(Map.of("--debug", true, "--from", "a@b.test", "--to", List.of("c@d.test"),
                QuickParse.RECIPIENTS, List.of("e@f.test"), "--config", Path.of("lmtp.conf"), "--chunking", false));
        assertThat(QuickParse.parse()).isEmpty();
    }

    @Test
    void everyOtherFormShouldBeLeftToPicocli() {
        assertThat(QuickParse.parse("--from=a@b.test")).isNull();
        assertThat(QuickParse.parse("-va")).isNull();
        assertThat(QuickParse.parse("-f", "a@b.test", "-f", "c@d.test")).isNull();
        assertThat(QuickParse.parse("--chunking", "--no-chunking")).isNull();
        assertThat(QuickParse.parse("-f")).isNull();
        assertThat(QuickParse.parse("-f", "")).isNull();
        assertThat(QuickParse.parse("--", "-x@y.test")).isNull();
        assertThat(QuickParse.parse("--help")).isNull();
        assertThat(QuickParse.parse("-V")).isNull();
    }

    @Test
    void whereItParsesItShouldGivePicocliValuesAndItShouldNeverAcceptWhatPicocliRefuses() {
        Random random = new Random(15);
        int quick = 0;
        for (int run = 0; run < 5000; run++) {
            List<String> words = new ArrayList<>();
            for (int n = random.nextInt(9); n > 0; n--) {
                words.add(WORDS.get(random.nextInt(WORDS.size())));
            }
            String[] args = DebugSwitch.rewrite(words.toArray(String[]::new));
            Map<String, Object> values = QuickParse.parse(args);
            if (values != null) {
                quick++;
                assertThat(values).as("%s", words).isEqualTo(picocli(args));
            }
        }
        assertThat(quick).isGreaterThan(500);
    }

    @Test
    void itShouldKnowEveryOptionOfTheModelButHelpAndVersionAsTheModelHasIt() {
        Map<String, QuickParse.Kind> expected = new HashMap<>();
        for (OptionSpec option : CommandModel.spec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            QuickParse.Kind kind = option.type() == Path.class ? QuickParse.Kind.FILE
                    : option.type() == List.class ? QuickParse.Kind.LIST
                    : option.type() == String.class ? QuickParse.Kind.TEXT
                    : option.negatable() ? QuickParse.Kind.POSITIVE : QuickParse.Kind.FLAG;
            for (String name : option.names()) {
                expected.put(name, kind);
            }
            if (option.negatable()) {
                expected.put("--no-" + option.longestName().substring(2), QuickParse.Kind.NEGATED);
            }
        }

        assertThat(QuickParse.kinds()).isEqualTo(expected);
    }

    @Test
    void aPicocliSettingShouldLeaveEverythingToPicocli() {
        System.setProperty("picocli.trace", "OFF");
        try {
            assertThat(QuickParse.parse("-t", "x@y.test")).isNull();
        } finally {
            System.clearProperty("picocli.trace");
        }
    }
}
