package dev.jameslmtp.client.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.testing.TestCertificates;

/** Building a TLS policy from PEM files, and what it refuses. */
class TlsPolicyTest {

    private static final TestCertificates.Authority CA = TestCertificates.authority("tls policy CA");

    @TempDir
    Path directory;

    @Test
    void clientCertificateFromPemFilesShouldBePresentedToAServerThatAsks() throws Exception {
        TestCertificates.Leaf client = CA.issue("james.client.test");
        client.writePem(directory.resolve("client.pem"), directory.resolve("client.key"));
        CA.writeCertificatePem(directory.resolve("ca.pem"));
        TlsPolicy policy = TlsPolicy.builder(TlsLevel.VERIFY)
                .caFile(directory.resolve("ca.pem"))
                .clientCertificate(directory.resolve("client.pem"), directory.resolve("client.key"))
                .build();

        try (SSLServerSocket listener = (SSLServerSocket) CA.issue("127.0.0.1").serverContext(CA).getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.setSoTimeout(10_000);
                    accepted.startHandshake();
                    return accepted.getSession().getPeerPrincipal().getName();
                } catch (Exception e) {
                    return "failed: " + e;
                }
            });
            Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            plain.setSoTimeout(10_000);
            try (SSLSocket tls = policy.layer(plain, Destination.parse("inet:[127.0.0.1]:" + listener.getLocalPort()))) {
                tls.startHandshake();
                assertThat(tls.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            }
            assertThat(peer.get(10, TimeUnit.SECONDS)).isEqualTo("CN=james.client.test");
        }
    }

    @Test
    void buildShouldNameAFileThatCannotBeUsed() throws Exception {
        Files.writeString(directory.resolve("not-a-key.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        CA.writeCertificatePem(directory.resolve("ca.pem"));

        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.VERIFY).caFile(directory.resolve("missing.pem")).build())
                .hasMessageContaining("missing.pem").hasMessageContaining("no such file");
        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.ENCRYPT)
                .clientCertificate(directory.resolve("ca.pem"), directory.resolve("not-a-key.pem")).build())
                .hasMessageContaining("not-a-key.pem").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void protocolsOlderThanTls12ShouldBeRefused() {
        assertThatThrownBy(() -> TlsPolicy.builder(TlsLevel.MAY).protocols(List.of("TLSv1.2", "TLSv1.1")))
                .hasMessageContaining("'TLSv1.1' is not accepted");
    }

    @Test
    void mayShouldBeNoneOnAUnixSocketAsInPostfix() {
        TlsPolicy may = TlsPolicy.builder(TlsLevel.MAY).build();

        assertThat(may.levelFor(Destination.parse("unix:/run/lmtp"))).isEqualTo(TlsLevel.NONE);
        assertThat(may.levelFor(Destination.parse("inet:store:24"))).isEqualTo(TlsLevel.MAY);
    }
}
