package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Verdict;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.client.pool.PoolLimits;
import dev.jameslmtp.client.pool.PooledDelivery;
import dev.jameslmtp.client.pool.ReuseCounter;
import dev.jameslmtp.client.session.Timeouts;
import dev.jameslmtp.testing.DovecotLmtpServer;
import dev.jameslmtp.testing.DovecotOptions;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/** The mail's origin to a store that offers XCLIENT: XCLIENT, a new LHLO, then the transaction; never to one that does not. */
class XclientTest {

    private static final Origin ORIGIN = new Origin("192.0.2.7", OptionalInt.of(4321), Optional.of("mx.origin.test"));
    private static final Content CONTENT = Content.of("Subject: origin\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));

    private static Envelope envelope(String recipient, Optional<Origin> origin) {
        return new Envelope("a@x.test", List.of(Recipient.of(recipient)), Optional.empty(), Optional.empty(), origin);
    }

    private static LmtpHandler offering(String... xclient) {
        return new LmtpHandler() {
            @Override
            public List<String> capabilities() {
                return xclient.length == 0 ? DEFAULT_CAPABILITIES
                        : List.of("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "XCLIENT " + String.join(" ", xclient));
            }

            @Override
            public Response unknown(String line) {
                return line.startsWith("XCLIENT ") ? Response.reply("220 fake.test ready") : LmtpHandler.super.unknown(line);
            }
        };
    }

    @Test
    void theOriginShouldGoWithTheAttributesTheServerNamesThenLhloAgain() {
        try (FakeLmtpServer server = FakeLmtpServer.start(offering("ADDR", "HELO"))) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").build();

            DeliveryResult result = client.deliver(Destination.parse("inet:[127.0.0.1]:" + server.port()),
                    envelope("bob@x.test", Optional.of(ORIGIN)), CONTENT);

            assertThat(result.verdicts()).allMatch(Verdict::delivered);
            assertThat(server.commands(0)).containsSubsequence("LHLO client.test", "XCLIENT ADDR=192.0.2.7 HELO=mx.origin.test",
                    "LHLO client.test", "MAIL FROM:<a@x.test>");
        }
    }

    @Test
    void noXclientShouldGoToAServerThatDoesNotOfferItOrWithoutAnOrigin() {
        try (FakeLmtpServer plain = FakeLmtpServer.start(offering());
             FakeLmtpServer offering = FakeLmtpServer.start(offering("ADDR"))) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").build();

            client.deliver(Destination.parse("inet:[127.0.0.1]:" + plain.port()), envelope("bob@x.test", Optional.of(ORIGIN)), CONTENT);
            client.deliver(Destination.parse("inet:[127.0.0.1]:" + offering.port()), envelope("bob@x.test", Optional.empty()), CONTENT);

            assertThat(plain.commands(0)).noneMatch(command -> command.startsWith("XCLIENT"));
            assertThat(offering.commands(0)).noneMatch(command -> command.startsWith("XCLIENT"));
        }
    }

    @Test
    void aSessionThatCarriedOneMailsOriginShouldNotBeCachedForAnother() {
        try (FakeLmtpServer server = FakeLmtpServer.start(offering("ADDR"))) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").build();
            ConnectionPool pool = ConnectionPool.create();
            pool.retain();
            try {
                PooledDelivery sessions = new PooledDelivery(pool, PoolLimits.defaults(), ReuseCounter.NONE);
                Destination store = Destination.parse("inet:[127.0.0.1]:" + server.port());

                sessions.deliver(client, store, envelope("bob@x.test", Optional.of(ORIGIN)), CONTENT);
                sessions.deliver(client, store, envelope("carol@x.test", Optional.empty()), CONTENT);
                sessions.deliver(client, store, envelope("dan@x.test", Optional.empty()), CONTENT);

                assertThat(server.connectionCount()).as("a new session after the one with an origin, then reused").isEqualTo(2);
            } finally {
                pool.release();
            }
        }
    }

    @Test
    void aRealDovecotTrustingTheClientShouldShowTheOriginalAddressInItsReceivedLine() {
        try (DovecotLmtpServer dovecot = DovecotLmtpServer.start(Path.of("target", "dovecot-xclient"),
                DovecotOptions.defaults().trustLoopback(true))) {
            LmtpClient client = LmtpClient.builder().lhloName("client.test").timeouts(Timeouts.defaults().withAll(Duration.ofSeconds(20)))
                    .build();

            DeliveryResult result = client.deliver(Destination.parse(dovecot.tcpDestination()),
                    envelope(dovecot.address("alice"), Optional.of(ORIGIN)), CONTENT);

            assertThat(result.verdicts()).singleElement().satisfies(outcome -> assertThat(outcome.delivered()).as(outcome.text()).isTrue());
            assertThat(new String(dovecot.messages("alice").get(0), StandardCharsets.ISO_8859_1)).contains("([192.0.2.7])");
        }
    }
}
