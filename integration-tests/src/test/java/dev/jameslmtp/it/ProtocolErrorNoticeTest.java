package dev.jameslmtp.it;

import static dev.jameslmtp.it.Lmtp.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.demo.WorkDirectory;
import dev.jameslmtp.testing.DeliveryStatusNotification;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * notifyClasses=protocol in a real James: a store that answers RCPT with a 354 breaks the
 * protocol; James's postmaster receives the session's transcript in its INBOX, and the sender a
 * DSN whose diagnostic is the mailet's own (the 354 decided nothing, so it is no Remote-MTA's
 * reply).
 */
class ProtocolErrorNoticeTest {

    private static final String POSTMASTER = "postmaster@" + EmbeddedJames.LOCAL_DOMAIN;

    private final FakeLmtpServer store = FakeLmtpServer.start(new LmtpHandler() {
        @Override
        public Response rcpt(String args, int index) {
            return Response.reply("354 go ahead");
        }
    });
    private EmbeddedJames james;

    @AfterEach
    void stop() {
        if (james != null) {
            james.close();
        }
        store.close();
    }

    @Test
    void thePostmasterShouldReceiveTheTranscriptOfASessionEndingInAProtocolError() throws Exception {
        Map<String, String> parameters = Lmtp.toDestination("inet:[127.0.0.1]:" + store.port());
        parameters.put("notifyClasses", "protocol");
        parameters.put("maxRetries", "0");
        parameters.put("delayTime", "0*1 second");
        james = EmbeddedJames.builder(WorkDirectory.of(getClass(), "james")).lmtpDelivery("HostIs=store.test", parameters).start();
        james.addUser(POSTMASTER);
        TestMessage message = TestMessage.create(EmbeddedJames.SENDER, List.of("bob@store.test"), "protocol-error");

        james.send(EmbeddedJames.SENDER, List.of("bob@store.test"), message.text());

        AWAIT.untilAsserted(() -> {
            assertThat(james.inbox(POSTMASTER)).hasSize(1);
            assertThat(message.copiesIn(james.inbox(EmbeddedJames.SENDER))).hasSize(1);
        });
        String notice = new String(james.inbox(POSTMASTER).get(0), StandardCharsets.UTF_8);
        assertThat(notice).contains("Subject: Postmaster Copy: LMTP protocol error with inet:[127.0.0.1]:" + store.port())
                .contains("C: RCPT TO:<bob@store.test>", "S: 354 go ahead")
                .doesNotContain(message.tag());
        DeliveryStatusNotification dsn = DeliveryStatusNotification.parse(message.copiesIn(james.inbox(EmbeddedJames.SENDER)).get(0));
        assertThat(dsn.recipient("bob@store.test")).hasValueSatisfying(fields -> assertThat(fields)
                .containsEntry("Action", "failed")
                .containsEntry("Status", "4.5.0")
                .doesNotContainKey("Remote-MTA")
                .hasEntrySatisfying("Diagnostic-Code", code -> assertThat(code).startsWith("x-james-lmtp; protocol error")));
    }
}
