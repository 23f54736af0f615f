package dev.jameslmtp.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code conf/} directory of the demo's James: the files shared with the integration tests
 * ({@link JamesConfFiles}) plus the demo's own mail processing and LMTP store. Every server binds
 * 127.0.0.1.
 *
 * <p>Pipeline: {@code root} → {@code transport}: the mandatory {@code RemoveMimeHeader bcc};
 * {@code LmtpDelivery} for the recipients of the store's domain (the benchmark puts {@code Null} or
 * {@code RemoteDelivery} there instead); local delivery for the sender's
 * domain (where DSNs arrive). LmtpDelivery's {@code onSuccess} goes to {@code delivered}, where
 * {@link OutcomeRecorder} notes each recipient; bounces are LmtpDelivery's own RFC 3464 DSNs (its
 * default {@code bounceMode}), sent to the sender.
 *
 * <p>The embedded LMTP store is James's own LMTP server in mailbox mode
 * ({@code CoreCmdHandlerLoader}): it appends straight to the in-memory mailboxes and never enters
 * the mailet container, so LmtpDelivery cannot loop through it.
 */
final class DemoConf {

    private DemoConf() {
    }

    /**
     * @param storeMailets  the transport's mailets for the store's domain ({@link #lmtpDelivery}, or
     *                      the benchmark's {@code Null} and {@code RemoteDelivery}), built with
     *                      {@link JamesConfFiles#mailet}
     * @param lmtpStorePort the port of the embedded LMTP store, or empty when delivering elsewhere
     */
    static void write(Path confDir, String storeMailets, Optional<Integer> lmtpStorePort) throws IOException {
        JamesConfFiles.write(confDir, Demo.SENDER_DOMAIN, "james-lmtp demo", mailetContainer(storeMailets), lmtpServer(lmtpStorePort));
    }

    /** The {@code <mailet>} element of LmtpDelivery, with these init parameters, for the store's domain. */
    static String lmtpDelivery(String storeDomain, Map<String, String> parameters) {
        return JamesConfFiles.mailet("HostIs=" + storeDomain, "dev.jameslmtp.mailet.LmtpDelivery", parameters);
    }

    private static String mailetContainer(String storeMailets) {
        String transport = storeMailets + "            <mailet match=\"RecipientIsLocal\" class=\"LocalDelivery\"/>";
        return JamesConfFiles.mailetContainer(Demo.SENDER_DOMAIN, transport, """
                        <processor state="delivered" enableJmx="false">
                            <mailet match="All" class="dev.jameslmtp.demo.OutcomeRecorder"/>
                            <mailet match="All" class="Null"/>
                        </processor>""");
    }

    /** James's LMTP server in mailbox mode on the given port, or disabled. */
    static String lmtpServer(Optional<Integer> port) {
        if (port.isEmpty()) {
            return JamesConfFiles.LMTP_SERVER_DISABLED;
        }
        return """
                <lmtpservers>
                    <lmtpserver enabled="true">
                        <jmxName>lmtpserver</jmxName>
                        <bind>127.0.0.1:%d</bind>
                        <connectionBacklog>200</connectionBacklog>
                        <connectiontimeout>1200</connectiontimeout>
                        <connectionLimit>0</connectionLimit>
                        <connectionLimitPerIP>0</connectionLimitPerIP>
                        <maxmessagesize>0</maxmessagesize>
                        <lmtpGreeting>james-lmtp demo store</lmtpGreeting>
                        <handlerchain>
                            <handler class="org.apache.james.lmtpserver.CoreCmdHandlerLoader"/>
                        </handlerchain>
                    </lmtpserver>
                </lmtpservers>
                """.formatted(port.get());
    }
}
