package dev.jameslmtp.client.session;

import java.time.Duration;

/**
 * The stages of an LMTP session, in the order they happen. Each carries Postfix's LMTP default
 * timeout and the phrase used in diagnostics ("lost connection with X while sending RCPT TO").
 * The stage of a recipient's outcome says where that outcome was decided.
 */
public enum Stage {
    CONNECT(Duration.ofSeconds(30), "connecting"),
    GREETING(Duration.ofSeconds(300), "receiving the initial server greeting"),
    LHLO(Duration.ofSeconds(300), "sending LHLO"),
    STARTTLS(Duration.ofSeconds(300), "performing STARTTLS and the TLS handshake"),
    AUTH(Duration.ofSeconds(300), "authenticating with SASL (AUTH)"),
    MAIL(Duration.ofSeconds(300), "sending MAIL FROM"),
    RCPT(Duration.ofSeconds(300), "sending RCPT TO"),
    DATA(Duration.ofSeconds(120), "sending DATA command"),
    BODY(Duration.ofSeconds(180), "sending message body"),
    /**
     * The message in BDAT chunks (RFC 3030), instead of DATA and BODY: each chunk's write and the
     * reply to each chunk but the last (Postfix's {@code lmtp_data_xfer_timeout}, as BODY). The
     * replies after {@code BDAT n LAST} are read at {@link #DOT}.
     */
    BDAT(Duration.ofSeconds(180), "sending message body in BDAT chunks"),
    DOT(Duration.ofSeconds(600), "sending end of data -- message may be sent more than once"),
    RSET(Duration.ofSeconds(20), "sending RSET"),
    QUIT(Duration.ofSeconds(300), "sending QUIT");

    private final Duration defaultTimeout;
    private final String description;

    Stage(Duration defaultTimeout, String description) {
        this.defaultTimeout = defaultTimeout;
        this.description = description;
    }

    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    /** The phrase that follows "while": {@code "sending RCPT TO"}. */
    public String description() {
        return description;
    }

    /** Opening a session: a failure here is the server's, not a recipient's (the next server of a list may take them). */
    public boolean opensSession() {
        return this == CONNECT || this == GREETING || this == LHLO;
    }

    /** Within a transaction before any byte of content: a failure here delivered nothing. */
    public boolean beforeContent() {
        return this == RSET || this == MAIL || this == RCPT || this == DATA;
    }
}
