package dev.jameslmtp.client.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.sasl.ChannelBinding;
import dev.jameslmtp.testing.TestCertificates;

/** RFC 5929 §4.1: which hash, and of what. */
class ServerEndPointTest {

    @Test
    void bindingShouldBeTheSha256OfTheDerCertificateForAnEcdsaSha256Signature() throws Exception {
        TestCertificates.Leaf leaf = TestCertificates.authority("end point CA").issue("store.example");

        ChannelBinding binding = ServerEndPoint.of(leaf.certificate()).orElseThrow();

        assertThat(binding.type()).isEqualTo("tls-server-end-point");
        assertThat(binding.data()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded()));
        assertThat(binding.toString()).isEqualTo("tls-server-end-point");
    }

    @Test
    void md5AndSha1ShouldBecomeSha256AndStrongerHashesShouldBeKept() {
        assertThat(ServerEndPoint.hashOf("MD5withRSA")).hasValue("SHA-256");
        assertThat(ServerEndPoint.hashOf("SHA1withRSA")).hasValue("SHA-256");
        assertThat(ServerEndPoint.hashOf("SHA256withECDSA")).hasValue("SHA-256");
        assertThat(ServerEndPoint.hashOf("SHA384withECDSA")).hasValue("SHA-384");
        assertThat(ServerEndPoint.hashOf("SHA512withRSA")).hasValue("SHA-512");
    }

    @Test
    void signaturesWithoutASingleHashShouldHaveNoBinding() {
        assertThat(ServerEndPoint.hashOf("Ed25519")).isEmpty();
        assertThat(ServerEndPoint.hashOf("RSASSA-PSS")).isEmpty();
    }
}
