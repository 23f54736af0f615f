package dev.jameslmtp.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.credentials.Credentials;
import dev.jameslmtp.client.sasl.ChannelBindingType;
import dev.jameslmtp.client.sasl.Mechanism;
import dev.jameslmtp.client.sasl.Protection;
import dev.jameslmtp.client.sasl.SaslPolicy;
import dev.jameslmtp.client.sasl.ScramIterations;
import dev.jameslmtp.client.sasl.SecurityOptions;
import dev.jameslmtp.client.tls.TlsLevel;
import dev.jameslmtp.client.tls.TlsPolicy;
import dev.jameslmtp.testing.Stderr;
import dev.jameslmtp.testing.TestCertificates;

/** The TLS and SASL parameters: parsed into the client's policies, or init() fails naming the parameter. */
class SecurityParametersTest {

    @TempDir
    Path directory;

    private static LmtpDeliveryConfiguration parse(String... keysAndValues) {
        return MailetParameters.parseFor("inet:[127.0.0.1]:2424", keysAndValues);
    }

    private Path map(String text) throws IOException {
        Path file = directory.resolve("sasl_passwd");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void withoutTheParametersThereShouldBeNeitherTlsNorAuth() {
        LmtpDeliveryConfiguration configuration = parse();

        assertThat(configuration.tls()).isEqualTo(TlsPolicy.NONE);
        assertThat(configuration.sasl()).isEqualTo(SaslPolicy.NONE);
    }

    @Test
    void parseShouldReadEverySecurityParameter() throws IOException {
        Path file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n");

        LmtpDeliveryConfiguration configuration = parse("saslPasswordMap", file.toString(), "saslMechanisms", "scram-sha-256 PLAIN",
                "saslSecurityOptions", "noanonymous", "saslTlsSecurityOptions", "none", "saslTlsVerifiedSecurityOptions", "noplaintext",
                "saslTrustUnixSocket", "true",
                "requireAuth", "true", "saslAuthSoftBounce", "false", "saslAuthCacheTime", "10 minutes",
                "tlsSecurityLevel", "encrypt", "tlsProtocols", "TLSv1.3", "tlsWrapperMode", "true");

        SaslPolicy sasl = configuration.sasl();
        assertThat(sasl.credentials().forDestination(Destination.parse("[127.0.0.1]:2424"))).hasValue(Credentials.of("lmtpadmin", "s3cr3t"));
        assertThat(sasl.mechanisms()).isEqualTo(EnumSet.of(Mechanism.SCRAM_SHA_256, Mechanism.PLAIN));
        assertThat(sasl.options()).isEqualTo(SecurityOptions.NO_ANONYMOUS);
        assertThat(sasl.tlsOptions()).isEqualTo(new SecurityOptions(false, false));
        assertThat(sasl.verifiedOptions()).isEqualTo(new SecurityOptions(true, false));
        assertThat(sasl.trustUnixSocket()).isTrue();
        assertThat(sasl.requireAuth()).isTrue();
        assertThat(sasl.softBounce()).isFalse();
        assertThat(sasl.failureCache().lifetime()).hasMinutes(10);
        assertThat(configuration.tls().level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(configuration.tls().wrapperMode()).isTrue();
        assertThat(configuration.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void byDefaultPlainAndLoginShouldBeAllowedOnlyAfterAVerifiedHandshake() throws IOException {
        SaslPolicy sasl = parse("saslPasswordMap", map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n").toString()).sasl();

        assertThat(sasl.optionsFor(Protection.CLEAR)).isEqualTo(SecurityOptions.DEFAULT);
        assertThat(sasl.optionsFor(Protection.ENCRYPTED)).isEqualTo(SecurityOptions.DEFAULT);
        assertThat(sasl.optionsFor(Protection.VERIFIED)).isEqualTo(SecurityOptions.NO_ANONYMOUS);
    }

    @Test
    void plainAllowedTowardsAnUnverifiedPeerShouldBeAWarnAtInitForTheMailetAndTheHook() throws IOException {
        String file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n").toString();

        String mailet = Stderr.of(() -> parse("saslPasswordMap", file, "tlsSecurityLevel", "encrypt", "saslTlsSecurityOptions", "noanonymous"));
        String hook = Stderr.of(() -> ClientSecurity.parse(Map.of("saslPasswordMap", file, "tlsSecurityLevel", "may",
                "saslTlsSecurityOptions", "noanonymous", "saslSecurityOptions", "none")));

        assertThat(mailet).contains("WARN").contains("saslTlsSecurityOptions 'noanonymous' allows PLAIN and LOGIN on TLS sessions "
                + "whose certificate is not verified (tlsSecurityLevel encrypt)").doesNotContain("s3cr3t");
        assertThat(hook).contains("saslTlsSecurityOptions 'noanonymous' allows PLAIN and LOGIN")
                .contains("saslSecurityOptions 'none' allows PLAIN and LOGIN on sessions in clear (tlsSecurityLevel may)");
    }

    @Test
    void theDefaultsOrAVerifiedLevelShouldGiveNoPlaintextWarning() throws IOException {
        String file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n").toString();

        String logged = Stderr.of(() -> {
            parse("saslPasswordMap", file, "tlsSecurityLevel", "encrypt");
            parse("saslPasswordMap", file, "tlsSecurityLevel", "may");
            parse("saslPasswordMap", file, "tlsSecurityLevel", "verify", "saslTlsSecurityOptions", "noanonymous");
            parse("saslPasswordMap", file, "tlsSecurityLevel", "encrypt", "saslTlsSecurityOptions", "noanonymous",
                    "saslMechanisms", "SCRAM-SHA-256, CRAM-MD5");
        });

        assertThat(logged).doesNotContain("allows PLAIN");
    }


    @Test
    void aMalformedPasswordMapShouldFailNamingTheFileAndLineButNotTheSecret() throws IOException {
        Path file = map("# stores\n[127.0.0.1]:2424 s3cr3t-without-user\n");

        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString()))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining("'saslPasswordMap'").hasMessageContaining(file + ", line 2")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aMissingPasswordMapShouldFailNamingTheFile() {
        assertThatThrownBy(() -> parse("saslPasswordMap", directory.resolve("absent").toString()))
                .hasMessageContaining("'saslPasswordMap'").hasMessageContaining("absent: no such file");
    }

    @Test
    void saslSettingsWithoutAPasswordMapShouldBeRefused() {
        assertThatThrownBy(() -> parse("requireAuth", "true"))
                .hasMessageContaining("[requireAuth]").hasMessageContaining("'saslPasswordMap' is not");
    }

    @Test
    void tlsFilesWithLevelNoneShouldBeRefused() {
        assertThatThrownBy(() -> parse("tlsCAFile", "/etc/ssl/ca.pem"))
                .hasMessageContaining("[tlsCAFile]").hasMessageContaining("'tlsSecurityLevel' is none");
    }

    @Test
    void malformedValuesShouldNameTheParameterAndTheAcceptedForm() throws IOException {
        Path file = map("host a:b\n");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "secure"))
                .hasMessage("parameter 'tlsSecurityLevel': invalid value 'secure': expected none, may, encrypt or verify");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "may", "tlsProtocols", "TLSv1.1"))
                .hasMessageContaining("parameter 'tlsProtocols': invalid value 'TLSv1.1'");
        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslMechanisms", "SCRAM-SHA-512"))
                .hasMessageContaining("parameter 'saslMechanisms'");
        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslSecurityOptions", "mutual_auth"))
                .hasMessageContaining("parameter 'saslSecurityOptions'");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsCertFile", "/nonexistent/cert.pem"))
                .hasMessageContaining("'tlsCertFile' and 'tlsKeyFile' go together");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsCAFile", directory.resolve("none.pem").toString()))
                .hasMessageContaining("none.pem").hasMessageContaining("no such file");
    }

    private static final String STORE_PASSWORD = "st0re-nOt4LoGs";

    private Path keyStore(String type) {
        Path file = directory.resolve("client." + type.toLowerCase());
        TestCertificates.authority("conf CA").issue("james.client.test").writeKeyStore(file, type, STORE_PASSWORD.toCharArray());
        return file;
    }

    private Path trustStore() {
        Path file = directory.resolve("trust.p12");
        TestCertificates.authority("conf CA").writeTrustStore(file, "PKCS12", STORE_PASSWORD.toCharArray());
        return file;
    }

    private static LmtpDeliveryConfiguration.Values values(String... keysAndValues) {
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            parameters.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new LmtpDeliveryConfiguration.Values(parameters);
    }

    @Test
    void storesShouldBeReadWithPasswordsGivenInlineFromTheEnvironmentOrFromAFile() throws IOException {
        Path keys = keyStore("PKCS12");
        Path trust = trustStore();
        Path passwordFile = directory.resolve("store.pass");
        Files.writeString(passwordFile, STORE_PASSWORD + "\n");

        TlsPolicy inline = parse("tlsSecurityLevel", "verify", "tlsTrustStore", trust.toString(), "tlsTrustStorePassword", STORE_PASSWORD,
                "tlsKeyStore", keys.toString(), "tlsKeyStorePassword", STORE_PASSWORD).tls();
        TlsPolicy fromFile = parse("tlsSecurityLevel", "verify", "tlsTrustStore", trust.toString(), "tlsTrustStorePassword",
                "file:" + passwordFile, "tlsKeyStore", keys.toString(), "tlsKeyStorePassword", "file:" + passwordFile).tls();
        TlsPolicy fromEnv = SecurityParameters.tls(values("tlsSecurityLevel", "encrypt", "tlsKeyStore", keyStore("JKS").toString(),
                "tlsKeyStorePassword", "env:LMTP_KEYSTORE_PASSWORD"), name -> name.equals("LMTP_KEYSTORE_PASSWORD") ? STORE_PASSWORD : null);

        assertThat(inline.toString()).contains("truststore=" + trust, "keystore=" + keys).doesNotContain(STORE_PASSWORD);
        assertThat(fromFile.toString()).contains("keystore=" + keys);
        assertThat(fromEnv.level()).isEqualTo(TlsLevel.ENCRYPT);
    }

    @Test
    void aWrongStorePasswordShouldFailInitNamingTheStoreButNotThePassword() {
        Path keys = keyStore("PKCS12");
        String wrong = "wr0ng-nOt4LoGs";

        assertThatThrownBy(() -> parse("tlsSecurityLevel", "encrypt", "tlsKeyStore", keys.toString(), "tlsKeyStorePassword", wrong))
                .isInstanceOf(ConfigurationError.class)
                .hasMessageContaining(keys.toString()).hasMessageContaining("wrong password")
                .hasMessageNotContaining(wrong).hasMessageNotContaining(STORE_PASSWORD);
    }

    @Test
    void anUnsetPasswordVariableOrAMissingPasswordFileShouldBeNamed() {
        Path keys = keyStore("PKCS12");

        assertThatThrownBy(() -> SecurityParameters.tls(values("tlsSecurityLevel", "encrypt", "tlsKeyStore", keys.toString(),
                "tlsKeyStorePassword", "env:NO_SUCH_VARIABLE"), name -> null))
                .hasMessageContaining("tlsKeyStorePassword").hasMessageContaining("NO_SUCH_VARIABLE");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "encrypt", "tlsKeyStore", keys.toString(),
                "tlsKeyStorePassword", "file:" + directory.resolve("missing.pass")))
                .hasMessageContaining("tlsKeyStorePassword").hasMessageContaining("missing.pass").hasMessageContaining("no such file");
    }

    @Test
    void pemFilesAndStoresForTheSameThingOrAStoreWithoutItsPasswordShouldBeRefused() throws IOException {
        Path keys = keyStore("PKCS12");
        Path trust = trustStore();
        Path pem = directory.resolve("ca.pem");
        TestCertificates.authority("pem CA").writeCertificatePem(pem);

        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsCAFile", pem.toString(), "tlsTrustStore", trust.toString()))
                .hasMessageContaining("'tlsCAFile' and 'tlsTrustStore'");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsCertFile", pem.toString(), "tlsKeyFile", pem.toString(),
                "tlsKeyStore", keys.toString(), "tlsKeyStorePassword", STORE_PASSWORD))
                .hasMessageContaining("'tlsKeyStore'");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsKeyStore", keys.toString()))
                .hasMessageContaining("'tlsKeyStorePassword' is required");
        assertThatThrownBy(() -> parse("tlsSecurityLevel", "verify", "tlsKeyStorePassword", STORE_PASSWORD))
                .hasMessageContaining("'tlsKeyStorePassword' is set but 'tlsKeyStore' is not").hasMessageNotContaining(STORE_PASSWORD);
        assertThatThrownBy(() -> parse("tlsTrustStore", trust.toString()))
                .hasMessageContaining("tlsTrustStore").hasMessageContaining("'tlsSecurityLevel' is none");
    }

    @Test
    void saslChannelBindingShouldBeParsedAndAnUnknownTypeRefused() throws IOException {
        Path file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n");

        assertThat(parse("saslPasswordMap", file.toString()).sasl().channelBinding()).isEqualTo(ChannelBindingType.NONE);
        assertThat(parse("saslPasswordMap", file.toString(), "saslChannelBinding", "tls-server-end-point").sasl().channelBinding())
                .isEqualTo(ChannelBindingType.TLS_SERVER_END_POINT);
        assertThat(parse("saslPasswordMap", file.toString()).sasl().mechanisms()).contains(Mechanism.SCRAM_SHA_256_PLUS);
        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslChannelBinding", "tls-unique"))
                .hasMessageContaining("saslChannelBinding").hasMessageContaining("none or tls-server-end-point");
        assertThatThrownBy(() -> parse("saslChannelBinding", "tls-server-end-point"))
                .hasMessageContaining("saslChannelBinding").hasMessageContaining("saslPasswordMap");
    }

    @Test
    void saslScramMaxIterationsShouldDefaultToCyrusSaslsLimitAndRefuseLessThanTheRfcMinimum() throws IOException {
        Path file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n");

        assertThat(parse("saslPasswordMap", file.toString()).sasl().scramIterations()).isEqualTo(new ScramIterations(65_536));
        assertThat(parse("saslPasswordMap", file.toString(), "saslScramMaxIterations", "600000").sasl().scramIterations())
                .isEqualTo(new ScramIterations(600_000));
        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslScramMaxIterations", "4095"))
                .hasMessageContaining("saslScramMaxIterations").hasMessageContaining("4095").hasMessageContaining("from 4096");
        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslScramMaxIterations", "lots"))
                .hasMessageContaining("saslScramMaxIterations").hasMessageContaining("from 4096");
        assertThatThrownBy(() -> parse("saslScramMaxIterations", "100000"))
                .hasMessageContaining("saslScramMaxIterations").hasMessageContaining("saslPasswordMap");
    }

    @Test
    void clientSecurityShouldTakeSaslScramMaxIterationsAsTheMailetDoesForTheSmtpHook() throws IOException {
        Path file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n");

        assertThat(ClientSecurity.keys()).contains("saslScramMaxIterations");
        assertThat(ClientSecurity.parse(java.util.Map.of("saslPasswordMap", file.toString(), "saslScramMaxIterations", "200000"))
                .sasl().scramIterations()).isEqualTo(new ScramIterations(200_000));
        assertThatThrownBy(() -> ClientSecurity.parse(java.util.Map.of("saslPasswordMap", file.toString(), "saslScramMaxIterations", "1")))
                .hasMessageContaining("saslScramMaxIterations").hasMessageContaining("from 4096");
    }

    @Test
    void aFrontEndsOwnCredentialsShouldBeAskedLastAndItsWarningsReturnedNotLogged() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<dev.jameslmtp.client.credentials.CredentialSource> credentials = () -> {
            asked.incrementAndGet();
            return dev.jameslmtp.client.credentials.CredentialSource.fixed(Credentials.of("lmtpadmin", "s3cr3t"));
        };

        assertThatThrownBy(() -> ClientSecurity.parse(Map.of("saslMechanisms", "XOAUTH"), name -> null, java.util.Optional.of(credentials)))
                .hasMessageContaining("parameter 'saslMechanisms'");
        assertThat(asked).hasValue(0);
        ClientSecurity[] parsed = new ClientSecurity[1];
        String logged = Stderr.of(() -> parsed[0] = ClientSecurity.parse(Map.of("tlsSecurityLevel", "encrypt",
                "saslTlsSecurityOptions", "noanonymous"), name -> null, java.util.Optional.of(credentials)));
        assertThat(asked).hasValue(1);
        assertThat(logged).isEmpty();
        assertThat(parsed[0].sasl().credentials().forDestination(Destination.parse("[127.0.0.1]:2424")))
                .hasValue(Credentials.of("lmtpadmin", "s3cr3t"));
        assertThat(parsed[0].warnings()).singleElement().asString().startsWith("saslTlsSecurityOptions 'noanonymous' allows PLAIN and "
                + "LOGIN on TLS sessions whose certificate is not verified (tlsSecurityLevel encrypt)").doesNotContain("s3cr3t");
        assertThatThrownBy(() -> ClientSecurity.parse(Map.of("saslTlsSecurityOptions", "noanonymous"), name -> null, java.util.Optional.empty()))
                .hasMessage("parameters [saslTlsSecurityOptions] are set but 'saslPasswordMap' is not, and without it there is no SASL "
                        + "authentication");
        assertThatThrownBy(() -> ClientSecurity.parse(Map.of("destination", "inet:x"), name -> null, java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destination");
    }

    @Test
    void storePasswordsShouldComeFromTheGivenEnvironment() {
        Path keys = directory.resolve("client.p12");
        TestCertificates.authority("env CA").issue("client.test").writeKeyStore(keys, "PKCS12", "st0re-pw".toCharArray());

        TlsPolicy tls = ClientSecurity.parse(Map.of("tlsSecurityLevel", "encrypt", "tlsKeyStore", keys.toString(),
                "tlsKeyStorePassword", "env:STORE_PASSWORD"), Map.of("STORE_PASSWORD", "st0re-pw")::get, java.util.Optional.empty()).tls();

        assertThat(tls.toString()).contains("keystore=" + keys).doesNotContain("st0re-pw");
        assertThatThrownBy(() -> ClientSecurity.parse(Map.of("tlsSecurityLevel", "encrypt", "tlsKeyStore", keys.toString()),
                name -> null, java.util.Optional.empty()))
                .hasMessage("parameter 'tlsKeyStorePassword' is required: expected the password of 'tlsKeyStore' (and of its key)");
    }

    @Test
    void anEmptyMechanismListShouldBeRefusedNamingTheParameter() throws IOException {
        Path file = map("[127.0.0.1]:2424 lmtpadmin:s3cr3t\n");

        assertThatThrownBy(() -> parse("saslPasswordMap", file.toString(), "saslMechanisms", ","))
                .isInstanceOf(ConfigurationError.class).hasMessageContaining("parameter 'saslMechanisms': invalid value ','");
    }
}
