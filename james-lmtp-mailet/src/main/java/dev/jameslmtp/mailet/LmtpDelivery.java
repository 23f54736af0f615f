package dev.jameslmtp.mailet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.DestinationList;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.Transcript;
import dev.jameslmtp.client.pool.ConnectionPool;
import dev.jameslmtp.conf.ConfigurationError;
import dev.jameslmtp.conf.LmtpClientFactory;
import dev.jameslmtp.conf.LmtpDeliveryConfiguration;
import dev.jameslmtp.conf.Parameter;

/**
 * Delivers mail over LMTP (RFC 2033) to a mail store such as Dovecot, and maps every recipient's
 * own reply back onto the James mail. Shaped like James's {@code RemoteDelivery}: {@link #service}
 * puts the mail on a James mail queue (itself for one destination, else one copy per destination) and ghosts it; a consumer takes
 * mail off the queue, with at most {@code concurrency} deliveries in flight per destination
 * (counted across every LmtpDelivery of the JVM), and delivers it. A destination at its limit
 * never holds up mail for others: its mail (counted by {@code lmtpDeliveryDestinationBusy}) waits
 * in a bounded backlog (4 × {@code concurrency}), beyond which it is put back on the queue with a
 * short delay, while the consumer takes the next one.
 *
 * <p>After each attempt every recipient is in exactly one of three states, and the code checks it:
 * <ul>
 *   <li><b>delivered</b> (2xx after the final dot): it leaves the mail; with {@code onSuccess}, a
 *   copy holding the delivered recipients goes to that processor;</li>
 *   <li><b>deferred</b> (4xx, connection failure, timeout, reply missing after the dot, no
 *   transport map entry): it goes back on the queue with the next delay of {@code delayTime}; the
 *   retry count is kept per recipient (attribute {@code lmtp-delivery-retries}, and James's
 *   {@code delivery_retry_count});</li>
 *   <li><b>bounced</b> (5xx at MAIL, RCPT, DATA or after the dot; or still temporary after
 *   {@code maxRetries} retries): reported as {@code bounceMode} says. With {@code rfc3464} (the
 *   default) the mailet sends the sender <em>one</em> RFC 3464 DSN per mail and attempt, from the
 *   null sender: a {@code multipart/report} whose {@code message/delivery-status} part lists every
 *   failed recipient with {@code Action: failed}, its own bare {@code Status: 5.1.1},
 *   {@code Diagnostic-Code: smtp; <the store's reply>} and {@code Remote-MTA} ({@code dns; host},
 *   or {@code x-unix; /path} for a UNIX socket), followed by the returned message (its header
 *   only with RET=HDRS); NOTIFY and ORCPT are honoured, and in either mode a recipient whose NOTIFY
 *   asks for SUCCESS gets an {@code Action: delivered} DSN once delivered, unless the store offered
 *   DSN and so reports itself. With {@code james} (the default when
 *   {@code bounceProcessor} is set), recipients with the same reply form one copy of the mail,
 *   sent to {@code bounceProcessor} with James's Bouncer attributes {@code delivery-error} (e.g.
 *   {@code "550 5.1.1 User doesn't exist: bob"}), {@code delivery-error-code} (the reply code,
 *   when the server replied) and {@code is-delivery-permanent-error}, for {@code DSNBounce} and
 *   the {@code IsRemoteDelivery*} matchers; without {@code bounceProcessor},
 *   {@code MailetContext.bounce}. A mail with the null sender is never bounced; that is
 *   logged.</li>
 * </ul>
 * With {@code delayWarningTime}, a mail whose recipients are still being retried that long after
 * it arrived earns its sender one {@code Action: delayed} DSN (Postfix's {@code delay_warning_time}).
 *
 * <p>One log line per attempt gives each recipient's outcome; every log line of an attempt carries
 * the MDC keys {@code queue} and {@code destination}. James metrics count delivered, deferred
 * and bounced recipients ({@code lmtpDeliveryDeliveredRecipients}, {@code lmtpDeliveryDeferredRecipients},
 * {@code lmtpDeliveryBouncedRecipients}), time each attempt ({@code lmtpDeliveryAttempt}), both in all
 * and per destination ({@code lmtpDeliveryBouncedRecipients.inet_127.0.0.1_24},
 * {@code lmtpDeliveryAttempt.unix_run_dovecot_lmtp}...), and count LMTP transactions, all and those
 * on a reused connection ({@code lmtpDeliveryTransactions}, {@code lmtpDeliveryTransactionsOnReusedConnections}),
 * and delivery journals left behind and swept ({@code lmtpDeliveryJournalSwept}).
 *
 * <h2>Parameters</h2>
 * Durations are written as James's DurationParser reads them ({@code 30 seconds}, {@code 5m},
 * {@code 2 hours}); a bare number is in <b>seconds</b> for the timeouts and in <b>milliseconds</b>
 * for {@code delayTime} (as in RemoteDelivery). An unknown parameter, a malformed or empty value,
 * or neither or both of {@code destination} and {@code transportMap} make {@code init()} fail
 * with a message naming the parameter. James's own {@code onMailetException} and
 * {@code onMatcherException} are accepted. Each reply timeout is a deadline for the whole reply
 * (as Postfix with {@code lmtp_per_record_deadline = yes}): a server that sends a reply slowly,
 * byte by byte, is cut off when it expires. {@code bodyTimeout} bounds each write of the content.
 * <table>
 * <caption>LmtpDelivery parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code destination}</td><td>none</td><td>the LMTP server for every recipient: {@code unix:/run/dovecot/lmtp}, {@code inet:host:port}, {@code [addr]:port}, {@code host} (port 24), or a list of them separated by commas, tried in order (Postfix 3.5: a server that cannot be reached, greets with 4xx or closes with 421 before DATA passes the recipients it did not answer to the next one); exactly one of destination and transportMap is required</td></tr>
 * <tr><td>{@code transportMap}</td><td>none</td><td>path of a Postfix transport(5)-style file: {@code domain destination} lines, {@code .domain} for subdomains, {@code *} for the rest, an optional {@code lmtp:} prefix; read again when it changes (in place or by rename), a broken change keeping the last good map</td></tr>
 * <tr><td>{@code lhloName}</td><td>James's default domain, else this host's name</td><td>the LHLO argument</td></tr>
 * <tr><td>{@code outgoing}</td><td>lmtp-outgoing</td><td>name of the James mail queue holding mail waiting for delivery; each LmtpDelivery needs its own: a second one on the same queue fails init()</td></tr>
 * <tr><td>{@code delayTime}</td><td>1 minute, 5 minutes, 15 minutes, 1 hour, 6 hours</td><td>delays before the retries, RemoteDelivery's syntax {@code [attempts*]duration, ...}, e.g. {@code 4*1 minute, 3*5 minutes, 1 hour}; reconciled with maxRetries as RemoteDelivery does</td></tr>
 * <tr><td>{@code maxRetries}</td><td>5</td><td>retries of a recipient after temporary failures before it bounces</td></tr>
 * <tr><td>{@code bounceProcessor}</td><td>none</td><td>with bounceMode james: processor receiving bounced recipients with James's delivery-error attributes (e.g. with DSNBounce); without it, MailetContext.bounce</td></tr>
 * <tr><td>{@code onSuccess}</td><td>none</td><td>processor receiving a copy of the mail with its delivered recipients</td></tr>
 * <tr><td>{@code softBounce}</td><td>false</td><td>true: permanent failures are treated as temporary (5yz 5.x.x becomes 4yz 4.x.x), as Postfix's soft_bounce</td></tr>
 * <tr><td>{@code recipientLimit}</td><td>50</td><td>recipients per LMTP transaction; a mail with more for one destination is sent in several; 0 = no limit</td></tr>
 * <tr><td>{@code concurrency}</td><td>10</td><td>deliveries in flight per destination (1 to 256), counted across every LmtpDelivery of the James; the first mailet to use a destination sets its limit</td></tr>
 * <tr><td>{@code journalDirectory}</td><td>var/lmtp-journal/ followed by the outgoing queue's name, in James's working directory</td><td>directory of the delivery journal: one small file per mail in an attempt, recording each recipient's fate as soon as it is known, so that a mail handed out again after James was killed is sent only to the recipients without one, and the ids of the mails settled in the last hour or two; a path, or a {@code file://} URL resolved by James; it must be writable, else init() fails; created 0700, its files 0600</td></tr>
 * <tr><td>{@code journalMaxAge}</td><td>twice the sum of the delayTime delays, at least 1 day</td><td>a journal file not written for this long of James's running time (downtime does not count) and held by no attempt is removed, at init and every hour, counted by lmtpDeliveryJournalSwept: its mail left the queue without it; at least 1 hour</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>30 seconds</td><td>to open the connection</td></tr>
 * <tr><td>{@code lhloTimeout}</td><td>5 minutes</td><td>for the greeting and the LHLO reply</td></tr>
 * <tr><td>{@code starttlsTimeout}</td><td>5 minutes</td><td>for the STARTTLS reply, and a deadline for the whole TLS handshake, after STARTTLS or in wrapper mode, however the server paces its bytes (Postfix's lmtp_starttls_timeout); a handshake past it fails like any failed handshake</td></tr>
 * <tr><td>{@code mailTimeout}</td><td>5 minutes</td><td>for the MAIL FROM reply</td></tr>
 * <tr><td>{@code rcptTimeout}</td><td>5 minutes</td><td>for each RCPT TO reply</td></tr>
 * <tr><td>{@code dataTimeout}</td><td>2 minutes</td><td>for the DATA reply</td></tr>
 * <tr><td>{@code bodyTimeout}</td><td>3 minutes</td><td>for each write of the message content</td></tr>
 * <tr><td>{@code dotTimeout}</td><td>10 minutes</td><td>for each reply after the final dot</td></tr>
 * <tr><td>{@code rsetTimeout}</td><td>20 seconds</td><td>for the RSET reply between transactions</td></tr>
 * <tr><td>{@code quitTimeout}</td><td>5 minutes</td><td>for the QUIT reply, awaited in the background: outcomes are recorded before QUIT, which never delays them</td></tr>
 * <tr><td>{@code skipQuitResponse}</td><td>false</td><td>true: close after QUIT without waiting for its reply</td></tr>
 * <tr><td>{@code skip5xxGreeting}</td><td>true</td><td>true: a 5xx greeting or LHLO reply defers every recipient (status made 4.x.x, the reply in the text), as Postfix's lmtp_skip_5xx_greeting; false: it bounces them</td></tr>
 * <tr><td>{@code orcptWithoutDsn}</td><td>auto</td><td>whether ORCPT goes on RCPT TO to a store that does not offer DSN: auto to a store whose greeting names Dovecot (which takes it), always, or never (only with DSN); Cyrus refuses it with 501</td></tr>
 * <tr><td>{@code xclientDestinations}</td><td>none</td><td>opt-in: * or the destinations to which each mail's original SMTP client (address, HELO) goes with XCLIENT before the transaction, when the server offers it (Dovecot, to its login_trusted_networks)</td></tr>
 * <tr><td>{@code transcript}</td><td>false</td><td>true: each LMTP conversation is logged ({@code C:}/{@code S:} lines) at INFO by logger {@code dev.jameslmtp.mailet.transcript}; false: at DEBUG by the same logger (INFO for the destinations of debugPeerList)</td></tr>
 * <tr><td>{@code saslPasswordMap}</td><td>none</td><td>path of a password map in Postfix's sasl_passwd text format: {@code key user:password} lines; key looked up as Postfix does (the host as connected, then the next hop as written: {@code [10.0.0.5]:24}, {@code host}; for {@code unix:} this host's name, then the socket path); no entry, no AUTH; the file is read again when it changes (in place or by rename); a broken change keeps the last good map and logs an error naming the line</td></tr>
 * <tr><td>{@code saslMechanisms}</td><td>SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN</td><td>the mechanisms that may be used; the strongest offered by the server and allowed by the security options is chosen (Postfix's lmtp_sasl_mechanism_filter); the -PLUS ones only on TLS with saslChannelBinding</td></tr>
 * <tr><td>{@code saslChannelBinding}</td><td>none</td><td>{@code tls-server-end-point}: on TLS, SCRAM binds the exchange to the server's certificate (RFC 5929), SCRAM-SHA-256-PLUS or SCRAM-SHA-1-PLUS preferred when offered, gs2 flag {@code y} when none is; {@code none}: no binding. Cyrus 3.6 accepts only tls-unique and refuses it</td></tr>
 * <tr><td>{@code saslScramMaxIterations}</td><td>65536</td><td>the highest SCRAM iteration count accepted from the server (at least 4096, the least RFC 7677 allows, which is also the lowest accepted); a count out of range defers the recipients (4.7.0) naming it, before any proof is computed: a hostile store cannot pin a thread with {@code i=2147483647} nor get a cheap proof with {@code i=1}. The default is the limit of Cyrus SASL's client, which Postfix uses: 16 times Dovecot's and Cyrus's default of 4096</td></tr>
 * <tr><td>{@code saslSecurityOptions}</td><td>noplaintext, noanonymous</td><td>on a connection in clear: {@code noplaintext} forbids PLAIN and LOGIN; {@code none} allows every mechanism</td></tr>
 * <tr><td>{@code saslTlsSecurityOptions}</td><td>noplaintext, noanonymous</td><td>the same on a TLS connection whose certificate is not verified (tlsSecurityLevel may, encrypt): anyone on the path can answer STARTTLS with a certificate of its own, so PLAIN and LOGIN are forbidden; {@code noanonymous} allows them there, with a WARN at init (Postfix's lmtp_sasl_tls_security_options)</td></tr>
 * <tr><td>{@code saslTlsVerifiedSecurityOptions}</td><td>noanonymous</td><td>the same on a TLS connection whose certificate was verified (tlsSecurityLevel verify) and on a trusted UNIX socket: PLAIN and LOGIN allowed (Postfix's lmtp_sasl_tls_verified_security_options)</td></tr>
 * <tr><td>{@code saslTrustUnixSocket}</td><td>false</td><td>true: a {@code unix:} destination is local, not on a network: saslTlsVerifiedSecurityOptions apply to it</td></tr>
 * <tr><td>{@code requireAuth}</td><td>false</td><td>true: fail closed; with no map entry for the destination, no AUTH offered or no acceptable mechanism, the recipients are deferred with 4.7.0 and nothing is sent unauthenticated (Postfix sends anyway)</td></tr>
 * <tr><td>{@code saslAuthSoftBounce}</td><td>true</td><td>true: an AUTH refusal defers the recipients whatever the reply (Cyrus answers a wrong password {@code 501 5.5.4}); false: a 5xx refusal bounces (Postfix's lmtp_sasl_auth_soft_bounce)</td></tr>
 * <tr><td>{@code saslAuthCacheTime}</td><td>1 hour</td><td>how long a refused (server, user, password) is remembered, so that AUTH is not tried again for every mail; a changed password is tried at once; 0 = never remembered</td></tr>
 * <tr><td>{@code tlsSecurityLevel}</td><td>none</td><td>{@code none}, {@code may} (STARTTLS when offered; a failed handshake retries in clear), {@code encrypt} (TLS required, certificate not checked) or {@code verify} (TLS required, certificate must chain to tlsCAFile and name the host); at encrypt and verify a server without STARTTLS, refusing it or failing the handshake defers the recipients (4.7.4, 4.7.5) and no mail goes in clear</td></tr>
 * <tr><td>{@code tlsWrapperMode}</td><td>false</td><td>true: TLS from the first byte (implicit TLS) instead of STARTTLS</td></tr>
 * <tr><td>{@code tlsCAFile}</td><td>the JDK's trusted CAs</td><td>PEM file of the CA certificates that verify trusts</td></tr>
 * <tr><td>{@code tlsCertFile}</td><td>none</td><td>PEM file of a client certificate (chain) to present; with tlsKeyFile</td></tr>
 * <tr><td>{@code tlsKeyFile}</td><td>none</td><td>PEM file of the client certificate's unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY})</td></tr>
 * <tr><td>{@code tlsTrustStore}</td><td>none</td><td>PKCS#12 or JKS trust store that verify trusts instead of the JDK's CAs; not with tlsCAFile</td></tr>
 * <tr><td>{@code tlsTrustStorePassword}</td><td>none</td><td>its password, if it has one: the password, {@code env:NAME} or {@code file:/path}; never shown</td></tr>
 * <tr><td>{@code tlsKeyStore}</td><td>none</td><td>PKCS#12 or JKS key store holding the client's key and certificate chain; not with tlsCertFile/tlsKeyFile</td></tr>
 * <tr><td>{@code tlsKeyStorePassword}</td><td>none</td><td>its password (also the key's), required with tlsKeyStore: the password, {@code env:NAME} or {@code file:/path}; never shown</td></tr>
 * <tr><td>{@code tlsProtocols}</td><td>TLSv1.3, TLSv1.2</td><td>TLS protocols offered; nothing older than TLSv1.2 is accepted</td></tr>
 * <tr><td>{@code tlsCiphers}</td><td>the JDK's</td><td>JSSE cipher suite names offered</td></tr>
 * <tr><td>{@code connectionCacheEnabled}</td><td>true</td><td>keep connections open between mails and reuse them (Postfix's connection cache); one cache per James, keyed by server, TLS policy, SASL identity and SASL terms (mechanisms, security options, saslTrustUnixSocket, requireAuth, saslChannelBinding), LHLO name and timeouts; a reused connection starts each transaction with RSET, and one that fails before DATA is replaced by a new one without counting against the mail</td></tr>
 * <tr><td>{@code connectionCacheIdleTime}</td><td>2 seconds</td><td>how long an unused connection stays open (Postfix's lmtp_connection_cache_time_limit)</td></tr>
 * <tr><td>{@code connectionCacheReuseTime}</td><td>5 minutes</td><td>how long after opening a connection may still be reused (lmtp_connection_reuse_time_limit)</td></tr>
 * <tr><td>{@code connectionCacheReuseLimit}</td><td>0</td><td>how many times a connection may be reused; 0 = no limit (lmtp_connection_reuse_count_limit)</td></tr>
 * <tr><td>{@code connectionCacheMaxIdle}</td><td>10</td><td>unused connections kept open per server (1 to 256); set it to at least {@code concurrency}</td></tr>
 * <tr><td>{@code destinationFailureSkipTime}</td><td>1 minute</td><td>with a destination list ({@code inet:a:24, inet:b:24}), how long a server that failed (unreachable, negative greeting, 421, lost before DATA) is skipped while another one is not; 0 = never skipped</td></tr>
 * <tr><td>{@code bounceMode}</td><td>rfc3464, or james when bounceProcessor is set</td><td>rfc3464: the mailet sends the sender one RFC 3464 DSN per mail and attempt listing every failed recipient with its own status; james: the stock James path (bounceProcessor with DSNBounce, or MailetContext.bounce); rfc3464 with bounceProcessor is refused</td></tr>
 * <tr><td>{@code delayWarningTime}</td><td>none (no delay warnings)</td><td>as Postfix's delay_warning_time: once a mail is that old and still being retried, its sender gets one {@code Action: delayed} DSN; a bare number is in hours, 0 = none; needs bounceMode rfc3464</td></tr>
 * <tr><td>{@code notifyClasses}</td><td>none</td><td>as Postfix's notify_classes: {@code protocol} sends the postmaster the transcript (secrets redacted) of an LMTP session that ended in a protocol error</td></tr>
 * <tr><td>{@code debugPeerList}</td><td>none</td><td>as Postfix's debug_peer_list: destinations (written as for destination, separated by commas or spaces) whose LMTP transcripts are logged at INFO</td></tr>
 * </table>
 *
 * <h2>Authentication and TLS</h2>
 * With {@code saslPasswordMap}, a session authenticates with the map's entry for its destination
 * (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256 or SCRAM-SHA-1), after STARTTLS when
 * {@code tlsSecurityLevel} asks for it. PLAIN and LOGIN, which send the password itself, are used
 * by default only after a verified handshake ({@code verify}) or on a trusted UNIX socket. An AUTH
 * failure defers the recipients (4.7.x) and closes the connection; no secret ever appears in a
 * log, transcript or error ({@code AUTH} payloads and challenges are shown as {@code ****}, and the
 * text of an AUTH refusal is withheld: a store may echo the payload in it).
 * <pre>{@code
 * <mailet match="HostIs=example.com" class="dev.jameslmtp.mailet.LmtpDelivery">
 *     <destination>inet:cyrus.example.com:24</destination>
 *     <saslPasswordMap>/etc/james/lmtp_sasl_passwd</saslPasswordMap>
 *     <tlsSecurityLevel>verify</tlsSecurityLevel>
 *     <tlsCAFile>/etc/james/store-ca.pem</tlsCAFile>
 *     <requireAuth>true</requireAuth>
 * </mailet>
 * }</pre>
 *
 * <h2>Example</h2>
 * Match the store's domains ({@code HostIs}), not {@code RecipientIsLocal}: users who exist only
 * in the store are not James users, and that matcher sends their mail to James's "no such user"
 * bounce. Every parameter is described in {@code docs/configuration.md}.
 * <pre>{@code
 * <mailet match="HostIs=example.com" class="dev.jameslmtp.mailet.LmtpDelivery">
 *     <destination>unix:/run/dovecot/lmtp</destination>
 *     <delayWarningTime>4h</delayWarningTime>
 *     <notifyClasses>protocol</notifyClasses>
 *     <delayTime>4*1 minute, 3*5 minutes, 1 hour</delayTime>
 *     <maxRetries>8</maxRetries>
 * </mailet>
 * }</pre>
 *
 * <h2>Two stores, and the route of a queued mail</h2>
 * Each LmtpDelivery consumes its own queue ({@code outgoing}): a second LmtpDelivery on a queue
 * already used by another in the same James fails {@code init()} with an error naming
 * {@code outgoing} (two consumers of one queue would each deliver the other's mail with their own
 * settings). {@code destroy()} frees the queue name. Besides, {@link #service} fixes the
 * destination on each queued copy (attribute {@code lmtp-delivery-destination}); the consumer
 * delivers there and nowhere else, even if the configuration changed meanwhile (it logs a
 * warning then). A recipient whose domain had no transport map entry is queued without a route
 * and routed again at each attempt.
 *
 * <h2>When James itself fails</h2>
 * <ul>
 *   <li>{@link #service}: one mail per destination is enqueued (the mail itself when there is one); if an enqueue fails, the mail is
 *   left holding exactly the recipients not on the queue and the exception goes to James
 *   ({@code onMailetException}, the {@code error} processor by default): no recipient is both
 *   queued and in the error path.</li>
 *   <li>Putting deferred recipients back: only a copy holding them is enqueued, never the
 *   delivered ones; a failure is tried again (3 tries in all, counted by
 *   {@code lmtpDeliveryPutBackFailures}), then the copy goes to the {@code error} processor.</li>
 *   <li>A failed acknowledgement of the queue item is logged; the outcomes stand and nothing is
 *   put back again.</li>
 *   <li>{@link #destroy}: no more mail is taken; attempts in flight get 10 seconds to finish; then
 *   their LMTP sessions are closed under them, so each ends at once: recipients with a final reply
 *   keep it, the others are deferred and put back on the queue before it is closed.</li>
 * </ul>
 *
 * <h2>Known limits</h2>
 * On a memory or file mail queue the delays are honoured; James's RabbitMQ queue ignores them,
 * as for RemoteDelivery. If James can neither put deferred recipients back on the queue nor hand
 * them to its {@code error} processor, they are logged at ERROR as lost when other recipients of
 * the attempt were delivered or bounced (the whole mail is never handed back, which would deliver
 * those again); when none were, the queue is asked to keep the mail. A failed acknowledgement
 * lets a queue that redelivers unacknowledged mail (a persistent one, after a restart) hand the
 * mail out again; its journal is kept, so only recipients without a mark are sent. At shutdown,
 * an attempt still opening a session (connect, greeting, LHLO) cannot be interrupted; it is left
 * after 5 more seconds with its mail unacknowledged, which a persistent queue hands out again
 * after a restart (recipients of earlier transactions of that attempt are marked in the journal
 * and not sent again). Mail put aside for a busy destination costs one queue
 * round trip per delay; the delay grows to one minute for a destination making no progress.
 * If James is killed (SIGKILL) during an attempt, the queue item was not acknowledged: a
 * persistent queue hands the whole mail out again after the restart. The delivery journal
 * ({@code journalDirectory}) then keeps the recipients whose fate was already written down from
 * being sent (or bounced, or put back) again: a recipient's 2xx after the dot is written the
 * moment it is read, a put-back or bounce once it is done. Left: the RFC 2033 window itself
 * (James dies after the store saved the message but before the reply was read and written),
 * and James dying between putting a deferred copy back or sending a bounce and writing its line
 * (that copy or bounce is made again). A machine crash may lose lines not yet synced (one fsync
 * per attempt): their recipients are sent again, never lost. Mail queued by an earlier version
 * carries no journal id and is delivered without a journal. A reply
 * missing after the final dot is a temporary failure: the server may have delivered, and the
 * retry may deliver twice (RFC 2033 §4.2 leaves no better choice).
 */
public class LmtpDelivery extends GenericMailet {

    /** Whether {@link #init} starts the queue consumer; tests drive attempts themselves. */
    enum ConsumerMode { START, DO_NOT_START }

    private static final Logger LOGGER = LoggerFactory.getLogger(LmtpDelivery.class);
    private static final String FILE_URL = "file://";
    private static final String JOURNAL_ROOT = "file://var/lmtp-journal/";

    private final MailQueueFactory<?> queueFactory;
    private final MetricFactory metricFactory;
    private final Supplier<String> defaultLhloName;
    private final ConsumerMode consumerMode;
    private Clock clock;
    private LmtpClientFactory clientFactory = LmtpClientFactory.standard();
    private Duration shutdownGrace = DeliveryConsumer.DEFAULT_SHUTDOWN_GRACE;
    private ConnectionPool connectionPool = ConnectionPool.shared();
    private final String defaultJournalRoot;
    private FileSystem fileSystem;
    private DeliveryJournal journal;

    private LmtpDeliveryConfiguration configuration;
    private MailQueue queue;
    private String claimedQueue;
    private boolean poolRetained;
    private DeliveryAttempt attempt;
    private DeliveryConsumer consumer;
    private JournalSweeper sweeper;

    @Inject
    public LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, DomainList domainList) {
        this(queueFactory, metricFactory, () -> defaultDomain(domainList), Clock.systemUTC(), ConsumerMode.START, JOURNAL_ROOT);
    }

    /**
     * For tests: without {@code journalDirectory} and without James's FileSystem, journals go under
     * {@code target/}, in a directory of this instance's own (test mails share names, and a
     * journal directory remembers the mails it settled).
     */
    LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, Supplier<String> defaultLhloName, Clock clock,
                 ConsumerMode consumerMode) {
        this(queueFactory, metricFactory, defaultLhloName, clock, consumerMode,
                "file://target/lmtp-journal/" + java.util.UUID.randomUUID() + "/");
    }

    private LmtpDelivery(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, Supplier<String> defaultLhloName, Clock clock,
                         ConsumerMode consumerMode, String defaultJournalRoot) {
        this.defaultJournalRoot = defaultJournalRoot;
        this.queueFactory = Objects.requireNonNull(queueFactory, "queueFactory");
        this.metricFactory = Objects.requireNonNull(metricFactory, "metricFactory");
        this.defaultLhloName = Objects.requireNonNull(defaultLhloName, "defaultLhloName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.consumerMode = Objects.requireNonNull(consumerMode, "consumerMode");
    }

    /** Optional: James binds a {@link Clock}; it stamps {@code lastUpdated} on deferred and bounced mail. */
    @com.google.inject.Inject(optional = true)
    public void setClock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Optional: bound by {@code LmtpDeliveryModule} or a module of your own; default {@link LmtpClientFactory#standard()}. */
    @com.google.inject.Inject(optional = true)
    public void setClientFactory(LmtpClientFactory clientFactory) {
        this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
    }

    /** Optional: bound once per James by {@code LmtpDeliveryModule}; default the process-wide {@link ConnectionPool#shared()}. */
    @com.google.inject.Inject(optional = true)
    public void setConnectionPool(ConnectionPool connectionPool) {
        this.connectionPool = Objects.requireNonNull(connectionPool, "connectionPool");
    }

    /** Optional: James binds its {@link FileSystem}; {@code file://} journal directories are resolved with it. */
    @com.google.inject.Inject(optional = true)
    public void setFileSystem(FileSystem fileSystem) {
        this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    }

    @Override
    public void init() throws MessagingException {
        configuration = parse();
        journal = openJournal();
        Duration journalMaxAge = journalMaxAge();
        Object holder = QueueClaims.claim(queueFactory, configuration.outgoing(), this);
        if (holder != null) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': outgoing: the queue '" + configuration.outgoing()
                    + "' is already used by another LmtpDelivery (" + holder + "); give each LmtpDelivery its own queue,"
                    + " e.g. <outgoing>lmtp-outgoing-store2</outgoing>");
        }
        claimedQueue = configuration.outgoing();
        connectionPool.retain();
        poolRetained = true;
        queue = queueFactory.createQueue(MailQueueName.of(configuration.outgoing()));
        DeliveryMetrics metrics = new DeliveryMetrics(metricFactory);
        Bounces bounces = Bounces.of(getMailetContext(), configuration, clock);
        OutcomeDispatcher dispatcher = new OutcomeDispatcher(queue, getMailetContext(), bounces, configuration.onSuccess(), clock, metrics);
        attempt = new DeliveryAttempt(configuration, clientFactory, dispatcher, metrics, connectionPool,
                new ProtocolNotices(getMailetContext(), configuration.lhloName(), clock));
        consumer = new DeliveryConsumer(queue, attempt, DestinationLimits.shared(), configuration.concurrency(), getMailetContext(),
                metrics, shutdownGrace, journal);
        sweeper = new JournalSweeper(journal, journalMaxAge, clock, metrics);
        sweeper.start("lmtp-journal-sweeper-" + configuration.outgoing());
        if (consumerMode == ConsumerMode.START) {
            consumer.start();
        }
        LOGGER.info("LmtpDelivery {}: delivering to {} as {}, queue {}, {} retries", getMailetName(),
                configuration.routing().destinations(), configuration.lhloName(), configuration.outgoing(),
                configuration.delaySchedule().maxRetries());
    }

    @Override
    public String toString() {
        return "LmtpDelivery mailet '" + getMailetName() + "' to " + (configuration == null ? "?" : configuration.routing().destinations());
    }

    /**
     * The journal directory: {@code journalDirectory}, else {@code file://var/lmtp-journal/<outgoing>};
     * a {@code file://} URL is resolved by James's FileSystem (relative to James's working
     * directory), else relative to the process's working directory.
     */
    private DeliveryJournal openJournal() throws MessagingException {
        String value = Optional.ofNullable(getInitParameter(Parameter.JOURNAL_DIRECTORY.key())).map(String::strip)
                .orElse(defaultJournalRoot + configuration.outgoing());
        try {
            Path directory;
            if (!value.startsWith(FILE_URL)) {
                directory = Path.of(value);
            } else if (fileSystem != null) {
                directory = fileSystem.getFile(value).toPath();
            } else {
                directory = Path.of(value.substring(FILE_URL.length()));
            }
            return DeliveryJournal.open(directory);
        } catch (IOException | RuntimeException e) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': " + ConfigurationError.invalid(
                    Parameter.JOURNAL_DIRECTORY.key(), value, "a directory James can create and write files in, e.g. "
                            + JOURNAL_ROOT + configuration.outgoing() + " or /var/spool/james/lmtp-journal (" + e + ")").getMessage(), e);
        }
    }

    private Duration journalMaxAge() throws MessagingException {
        try {
            return JournalSweeper.maxAge(Optional.ofNullable(getInitParameter(Parameter.JOURNAL_MAX_AGE.key())), configuration.delaySchedule());
        } catch (ConfigurationError e) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': " + e.getMessage(), e);
        }
    }

    private LmtpDeliveryConfiguration parse() throws MessagingException {
        Map<String, String> parameters = new HashMap<>();
        getInitParameterNames().forEachRemaining(name -> parameters.put(name, getInitParameter(name)));
        try {
            return LmtpDeliveryConfiguration.parse(parameters, defaultLhloName);
        } catch (ConfigurationError e) {
            throw new MessagingException("LmtpDelivery mailet '" + getMailetName() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Enqueues the mail, one copy per destination holding that destination's recipients and its
     * {@link Route} (the mail itself when there is one destination), then ghosts it. If James cannot enqueue a copy, the mail is left holding the
     * recipients that are not on the queue (all of them when the first enqueue fails) and the
     * exception goes to James, whose {@code onMailetException} (the {@code error} processor by
     * default) then gets exactly those recipients: each recipient is on the queue or in the error
     * path, never both, never neither.
     */
    @Override
    public void service(Mail mail) throws MessagingException {
        mail.removeAttribute(RetryState.RETRIES);
        mail.removeAttribute(Route.ATTRIBUTE);
        ArrivalDate.stampIfAbsent(mail, clock);
        if (mail.getRecipients().isEmpty()) {
            LOGGER.debug("Mail {} has no recipients: nothing to deliver", mail.getName());
            mail.setState(Mail.GHOST);
            return;
        }
        Map<Optional<DestinationList>, List<MailAddress>> byDestination = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            byDestination.computeIfAbsent(configuration.routing().destinationFor(recipient.getDomain().asString()),
                    key -> new ArrayList<>()).add(recipient);
        }
        if (byDestination.size() == 1) {
            enqueueWhole(mail, byDestination.keySet().iterator().next());
            return;
        }
        List<MailAddress> notQueued = new ArrayList<>(mail.getRecipients());
        String name = mail.getName();
        for (Map.Entry<Optional<DestinationList>, List<MailAddress>> entry : byDestination.entrySet()) {
            try {
                MailCopies.send(mail, entry.getValue(), copy -> {
                    if (byDestination.size() > 1) {
                        copy.setName(name + "-to-" + destinationKey(entry.getKey()).replaceAll("[^A-Za-z0-9._-]", "_"));
                    }
                    entry.getKey().ifPresent(destination -> Route.set(copy, destination));
                    DeliveryJournal.idFor(copy, destinationKey(entry.getKey()));
                    queue.enQueue(copy);
                });
            } catch (Exception e) {
                mail.setRecipients(notQueued);
                throw new MessagingException("LmtpDelivery could not enqueue mail " + name + " for "
                        + Transcript.neutralise(entry.getValue() + "; recipients not queued: " + notQueued), e);
            }
            entry.getValue().forEach(notQueued::remove);
        }
        mail.setState(Mail.GHOST);
    }

    /**
     * One destination for every recipient: the mail itself is enqueued, without a copy of our own,
     * as James's {@code RemoteDelivery} does. Every James queue copies or serialises what it is
     * given at {@code enQueue} (the memory queue keeps a clone, ActiveMQ and RabbitMQ serialise
     * the mail and its message), so ghosting the mail afterwards never touches the queued item.
     * If the enqueue fails, the mail leaves as it came (no route, the journal id it had) with the exception.
     */
    private void enqueueWhole(Mail mail, Optional<DestinationList> destination) throws MessagingException {
        destination.ifPresent(route -> Route.set(mail, route));
        Optional<Attribute> formerId = mail.getAttribute(AttributeName.of(DeliveryJournal.ID));
        DeliveryJournal.idFor(mail, destinationKey(destination));
        try {
            queue.enQueue(mail);
        } catch (Exception e) {
            mail.removeAttribute(Route.ATTRIBUTE);
            mail.removeAttribute(AttributeName.of(DeliveryJournal.ID));
            formerId.ifPresent(mail::setAttribute);
            throw new MessagingException("LmtpDelivery could not enqueue mail " + mail.getName() + "; recipients not queued: "
                    + Transcript.neutralise(mail.getRecipients().toString()), e);
        }
        mail.setState(Mail.GHOST);
    }

    /** The key of the per-destination limits: the mail's route, or {@value DeliveryAttempt#NO_DESTINATION}. */
    static String destinationKey(Mail mail) {
        return Route.text(mail).orElse(DeliveryAttempt.NO_DESTINATION);
    }

    private static String destinationKey(Optional<DestinationList> destination) {
        return destination.map(DestinationList::toString).orElse(DeliveryAttempt.NO_DESTINATION);
    }

    @Override
    public void destroy() {
        if (consumer != null) {
            consumer.dispose();
        }
        if (sweeper != null) {
            sweeper.close();
        }
        if (journal != null) {
            journal.close();
        }
        if (claimedQueue != null) {
            QueueClaims.release(queueFactory, claimedQueue, this);
            claimedQueue = null;
        }
        if (queue != null) {
            try {
                queue.close();
            } catch (Exception e) {
                LOGGER.debug("error closing queue {}", configuration.outgoing(), e);
            }
        }
        if (poolRetained) {
            poolRetained = false;
            connectionPool.release();
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        if (configuration == null) {
            return List.of();
        }
        return Stream.concat(configuration.bounceProcessor().stream(), configuration.onSuccess().stream())
                .map(ProcessingState::new)
                .toList();
    }

    @Override
    public String getMailetInfo() {
        return "LmtpDelivery mailet";
    }

    /** How long {@link #destroy} lets attempts in flight finish before closing their sessions: for tests. */
    void shutdownGrace(Duration grace) {
        this.shutdownGrace = Objects.requireNonNull(grace, "grace");
        if (consumer != null) {
            consumer.shutdownGrace(grace);
        }
    }

    /** One attempt on {@code mail}, synchronously: for tests. */
    MailOutcomes attempt(Mail mail) throws UnstoredRecipientsException {
        return attempt.run(mail);
    }

    /** Closes the LMTP sessions open now and refuses new ones, as shutdown does: for tests. */
    int abortSessions() {
        return attempt.abortSessions();
    }

    /** The queue consumer, so that tests can hand it one queue item. */
    DeliveryConsumer consumer() {
        return consumer;
    }

    /** The delivery journal, so that tests can inject a crash before its writes. */
    DeliveryJournal journal() {
        return journal;
    }

    MailQueue queue() {
        return queue;
    }

    LmtpDeliveryConfiguration configuration() {
        return configuration;
    }

    private static String defaultDomain(DomainList domainList) {
        try {
            return domainList.getDefaultDomain().asString();
        } catch (Exception e) {
            LOGGER.warn("No default domain from James's DomainList ({}); LHLO with this host's name", e.toString());
            return LmtpClient.localHostName();
        }
    }
}
