package dev.jameslmtp.conf;

import static dev.jameslmtp.conf.MailetParameters.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import com.google.inject.Guice;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.session.Stage;
import dev.jameslmtp.client.session.Timeouts;

class LmtpDeliveryConfigurationTest {

    @Test
    void parseShouldApplyTheDefaults() {
        LmtpDeliveryConfiguration configuration = parse();

        assertThat(configuration.routing()).isEqualTo(new Routing.Single(DestinationList.parse("unix:/run/dovecot/lmtp")));
        assertThat(configuration.lhloName()).isEqualTo("default.test");
        assertThat(configuration.outgoing()).isEqualTo("lmtp-outgoing");
        assertThat(configuration.delaySchedule()).isEqualTo(DelaySchedule.defaults());
        assertThat(configuration.bounceProcessor()).isEmpty();
        assertThat(configuration.onSuccess()).isEmpty();
        assertThat(configuration.softBounce()).isFalse();
        assertThat(configuration.recipientLimit()).isEqualTo(50);
        assertThat(configuration.concurrency()).isEqualTo(10);
        assertThat(configuration.timeouts()).isEqualTo(Timeouts.defaults());
        assertThat(configuration.skipQuitResponse()).isFalse();
        assertThat(configuration.skip5xxGreeting()).isTrue();
        assertThat(configuration.orcpt()).isEqualTo(dev.jameslmtp.client.OrcptPolicy.AUTO);
        assertThat(configuration.transcript()).isFalse();
        assertThat(configuration.reporting()).isEqualTo(Reporting.defaults());
    }

    @Test
    void xclientDestinationsShouldTakeEveryDestinationOrAListAndNameTheAcceptedFormsOtherwise() {
        DestinationList dovecot = DestinationList.parse("unix:/run/dovecot/lmtp");
        DestinationList other = DestinationList.parse("inet:store.test:24");

        assertThat(parse().xclient().covers(dovecot)).isFalse();
        assertThat(parse("xclientDestinations", "*").xclient().covers(other)).isTrue();
        assertThat(parse("xclientDestinations", "unix:/run/dovecot/lmtp").xclient().covers(dovecot)).isTrue();
        assertThat(parse("xclientDestinations", "unix:/run/dovecot/lmtp").xclient().covers(other)).isFalse();
        assertThatThrownBy(() -> parse("xclientDestinations", "smtp:relay"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'xclientDestinations': invalid value 'smtp:relay'")
                .hasMessageContaining("'*' (every destination)");
    }

    @Test
    void orcptWithoutDsnShouldTakeAutoAlwaysOrNeverAndNameTheAcceptedValuesOtherwise() {
        assertThat(parse("orcptWithoutDsn", "Always").orcpt()).isEqualTo(dev.jameslmtp.client.OrcptPolicy.ALWAYS);
        assertThat(parse("orcptWithoutDsn", "never").orcpt()).isEqualTo(dev.jameslmtp.client.OrcptPolicy.NEVER);
        assertThatThrownBy(() -> parse("orcptWithoutDsn", "yes"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'orcptWithoutDsn': invalid value 'yes'")
                .hasMessageContaining("'auto'").hasMessageContaining("'always' or 'never'");
    }

    @Test
    void everyDocumentedDefaultShouldParseToTheAppliedDefault() {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("destination", "unix:/run/dovecot/lmtp");
        for (Parameter parameter : Parameter.values()) {
            parameter.defaultValue().ifPresent(value -> parameters.put(parameter.key(), value));
        }

        assertThat(LmtpDeliveryConfiguration.parse(parameters, () -> "default.test")).isEqualTo(parse());
    }

    @Test
    void parseShouldReadEveryParameter() {
        LmtpDeliveryConfiguration configuration = parse("lhloName", "mx.example.com", "outgoing", "lmtp-q", "delayTime", "2*1 minute",
                "maxRetries", "2", "bounceProcessor", "bounces", "onSuccess", "delivered", "softBounce", "TRUE", "recipientLimit", "0",
                "concurrency", "3", "skipQuitResponse", "true", "skip5xxGreeting", "false", "transcript", "true");

        assertThat(configuration.lhloName()).isEqualTo("mx.example.com");
        assertThat(configuration.outgoing()).isEqualTo("lmtp-q");
        assertThat(configuration.delaySchedule().delays()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(1));
        assertThat(configuration.bounceProcessor()).contains("bounces");
        assertThat(configuration.onSuccess()).contains("delivered");
        assertThat(configuration.softBounce()).isTrue();
        assertThat(configuration.recipientLimit()).isZero();
        assertThat(configuration.recipientLimitIfBounded()).isEmpty();
        assertThat(configuration.concurrency()).isEqualTo(3);
        assertThat(configuration.skipQuitResponse()).isTrue();
        assertThat(configuration.skip5xxGreeting()).isFalse();
        assertThat(configuration.transcript()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Parameter.class, names = ".*_TIMEOUT", mode = EnumSource.Mode.MATCH_ALL)
    void parseShouldReadEachTimeoutWithSecondsAsDefaultUnit(Parameter parameter) {
        Stage stage = parameter.stage().orElseThrow();

        assertThat(parse(parameter.key(), "7").timeouts().of(stage)).isEqualTo(Duration.ofSeconds(7));
        assertThat(parse(parameter.key(), "2 minutes").timeouts().of(stage)).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse(parameter.key(), "500ms").timeouts().of(stage)).isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @EnumSource(value = Parameter.class, names = ".*_TIMEOUT", mode = EnumSource.Mode.MATCH_ALL)
    void parseShouldRefuseAMalformedOrZeroTimeout(Parameter parameter) {
        for (String bad : new String[] {"soon", "0", "-3", "3 fortnights", "1.5"}) {
            assertThatThrownBy(() -> parse(parameter.key(), bad))
                    .isInstanceOf(ConfigurationError.class)
                    .hasMessageStartingWith("parameter '" + parameter.key() + "': invalid value '" + bad + "'")
                    .hasMessageContaining("a bare number is in seconds");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "destination|smtp://x|an LMTP destination",
            "destination|inet:host:25|an LMTP destination",
            "lhloName|two words|a host name",
            "outgoing|my queue|a mail queue name",
            "delayTime|soon|[attempts*]duration",
            "maxRetries|many|a whole number from 0",
            "maxRetries|-1|a whole number from 0",
            "bounceProcessor|bad name|the name of a processor",
            "bounceProcessor|ghost|not 'ghost'",
            "onSuccess|a/b|the name of a processor",
            "softBounce|yes|true or false",
            "recipientLimit|-1|a whole number >= 0 (0 = no limit)",
            "recipientLimit|ten|a whole number >= 0",
            "concurrency|0|a whole number from 1 to 256",
            "concurrency|1000|a whole number from 1 to 256",
            "skipQuitResponse|1|true or false",
            "skip5xxGreeting|no|true or false",
                        "transcript|on|true or false",
            "bounceMode|dsnbounce|'rfc3464' (the mailet sends RFC 3464 DSNs) or 'james'",
            "delayWarningTime|soon|a duration (0 = no warnings)",
            "notifyClasses|resource|a list of: [protocol]",
            "debugPeerList|inet:host:25|a list of LMTP destinations"})
    void parseShouldNameTheParameterTheValueAndTheAcceptedForm(String key, String value, String expected) {
        MailetParameters.assertRejected(key, value, expected);
    }

    @Test
    void bounceModeShouldDefaultToRfc3464WithoutBounceProcessorAndToJamesWithOne() {
        assertThat(parse().reporting().bounceMode()).isEqualTo(BounceMode.RFC3464);
        assertThat(parse("bounceProcessor", "bounces").reporting().bounceMode()).isEqualTo(BounceMode.JAMES);
        assertThat(parse("bounceMode", "JAMES").reporting().bounceMode()).isEqualTo(BounceMode.JAMES);
        assertThat(parse("bounceMode", "james", "bounceProcessor", "bounces").bounceProcessor()).contains("bounces");
    }

    @Test
    void parseShouldRefuseBounceProcessorWithRfc3464Bounces() {
        assertThatThrownBy(() -> parse("bounceMode", "rfc3464", "bounceProcessor", "bounces"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'bounceProcessor' goes with bounceMode 'james'");
    }

    @Test
    void parseShouldRefuseDelayWarningsWithJamesBounces() {
        assertThatThrownBy(() -> parse("bounceProcessor", "bounces", "delayWarningTime", "4h"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("parameter 'delayWarningTime' needs bounceMode 'rfc3464'");
    }

    @Test
    void delayWarningTimeShouldReadHoursAsPostfixAndZeroAsOff() {
        assertThat(parse("delayWarningTime", "4").reporting().delayWarningTime()).contains(Duration.ofHours(4));
        assertThat(parse("delayWarningTime", "30 minutes").reporting().delayWarningTime()).contains(Duration.ofMinutes(30));
        assertThat(parse("delayWarningTime", "0h").reporting().delayWarningTime()).isEmpty();
    }

    @Test
    void notifyClassesAndDebugPeerListShouldReadPostfixStyleLists() {
        Reporting reporting = parse("notifyClasses", "protocol", "debugPeerList", "inet:[127.0.0.1]:2424, unix:/run/a  inet:mx.test").reporting();

        assertThat(reporting.notifies(NotifyClass.PROTOCOL)).isTrue();
        assertThat(reporting.debugPeers()).containsExactly(Destination.parse("inet:[127.0.0.1]:2424"), Destination.parse("unix:/run/a"),
                Destination.parse("inet:mx.test:24"));
        assertThat(reporting.isDebugPeer(Destination.parse("inet:127.0.0.1:2424"))).isTrue();
        assertThat(reporting.isDebugPeer(Destination.parse("unix:/run/a"))).isTrue();
        assertThat(reporting.isDebugPeer(Destination.parse("inet:[127.0.0.1]:24"))).isFalse();
        assertThat(reporting.isDebugPeer(Destination.parse("unix:/run/b"))).isFalse();
    }

    @Test
    void parseShouldRefuseAnEmptyValue() {
        assertThatThrownBy(() -> parse("maxRetries", " "))
                .isInstanceOf(ConfigurationError.class)
                .hasMessage("parameter 'maxRetries': invalid value ' ': expected a value (leave the parameter out to get its default: 5)");
    }

    @Test
    void parseShouldRefuseUnknownParametersListingTheAcceptedOnes() {
        assertThatThrownBy(() -> parse("deliveryThreads", "4", "gateway", "x"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("unknown parameter(s) ['deliveryThreads', 'gateway']; accepted parameters are [destination, transportMap,");
    }

    @Test
    void parseShouldAcceptTheContainerParameters() {
        assertThat(parse("onMailetException", "propagate", "onMatcherException", "ignore", "onMatchException", "error")).isEqualTo(parse());
    }

    @Test
    void parseShouldRequireDestinationOrTransportMap() {
        assertThatThrownBy(() -> parse("destination", null))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("'destination' or 'transportMap' is required");
    }

    @Test
    void parseShouldRefuseBothDestinationAndTransportMap() {
        assertThatThrownBy(() -> parse("transportMap", "/etc/x"))
                .isInstanceOf(ConfigurationError.class)
                .hasMessage("parameters 'destination' and 'transportMap' are both set; set exactly one");
    }

    @Test
    void parseShouldReadTheTransportMapFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("transport");
        Files.writeString(file, "a.test unix:/run/a\n* inet:127.0.0.1:2424\n");

        LmtpDeliveryConfiguration configuration = parse("destination", null, "transportMap", file.toString());

        assertThat(configuration.routing().destinationFor("a.test")).contains(DestinationList.parse("unix:/run/a"));
        assertThat(configuration.routing().destinations()).hasSize(2);
    }

    @Test
    void parseShouldReportTheTransportMapLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("transport");
        Files.writeString(file, "a.test unix:/run/a\nb.test smtp:mx\n");

        assertThatThrownBy(() -> parse("destination", null, "transportMap", file.toString()))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageStartingWith("transport map " + file + ", line 2: transport 'smtp' is not supported");
    }

    @Test
    void errorMessagesShouldNeutraliseControlCharactersAndBoundLongValues() {
        assertThatThrownBy(() -> parse("softBounce", "tr\nue"))
                .hasMessageContaining("'tr\\x0Aue'");
        assertThatThrownBy(() -> parse("softBounce", "x".repeat(500)))
                .hasMessageContaining("x".repeat(200) + "...'");
    }

    @Test
    void moduleShouldBindTheStandardClientFactory() {
        LmtpClientFactory factory = Guice.createInjector(new LmtpDeliveryModule()).getInstance(LmtpClientFactory.class);

        assertThat(factory.create(parse("lhloName", "mx.test"), dev.jameslmtp.client.wire.Transcript.NONE).lhloName()).isEqualTo("mx.test");
    }
}
