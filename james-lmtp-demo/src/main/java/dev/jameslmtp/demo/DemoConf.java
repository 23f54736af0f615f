package dev.jameslmtp.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code conf/} directory of the demo's James, written in full so that nothing falls back to
 * the defaults inside the James jars (whose {@code smtpserver.xml} binds 0.0.0.0:25). Every
 * server binds 127.0.0.1.
 *
 * <p>Pipeline: {@code root} → {@code transport}: the mandatory {@code RemoveMimeHeader bcc};
 * {@code LmtpDelivery} for the recipients of the store's domain; local delivery for the sender's
 * domain (where DSNs arrive). LmtpDelivery's {@code onSuccess} goes to {@code delivered} and its
 * {@code bounceProcessor} to {@code bounces}, where {@link OutcomeRecorder} notes each recipient
 * before DSNBounce writes to the sender.
 *
 * <p>The embedded LMTP store is James's own LMTP server in mailbox mode
 * ({@code CoreCmdHandlerLoader}): it appends straight to the in-memory mailboxes and never enters
 * the mailet container, so LmtpDelivery cannot loop through it.
 */
final class DemoConf {

    static final String ERROR_REPOSITORY = "memory://var/mail/error/";

    private DemoConf() {
    }

    /**
     * @param lmtpStorePort the port of the embedded LMTP store, or empty when delivering elsewhere
     * @param lmtpDelivery  LmtpDelivery's init parameters
     */
    static void write(Path confDir, String storeDomain, Map<String, String> lmtpDelivery, Optional<Integer> lmtpStorePort)
            throws IOException {
        Files.createDirectories(confDir);
        write(confDir, "mailetcontainer.xml", mailetContainer(storeDomain, lmtpDelivery));
        write(confDir, "smtpserver.xml", smtpServer());
        write(confDir, "lmtpserver.xml", lmtpServer(lmtpStorePort));
        write(confDir, "domainlist.xml", """
                <domainlist>
                    <autodetect>false</autodetect>
                    <autodetectIP>false</autodetectIP>
                    <defaultDomain>%s</defaultDomain>
                </domainlist>
                """.formatted(Demo.SENDER_DOMAIN));
        write(confDir, "usersrepository.xml", """
                <usersrepository name="LocalUsers">
                    <enableVirtualHosting>true</enableVirtualHosting>
                </usersrepository>
                """);
        write(confDir, "mailrepositorystore.xml", """
                <mailrepositorystore>
                    <defaultProtocol>memory</defaultProtocol>
                    <mailrepositories>
                        <mailrepository class="org.apache.james.mailrepository.memory.MemoryMailRepository">
                            <protocols>
                                <protocol>memory</protocol>
                            </protocols>
                            <config FIFO="false" CACHEKEYS="true"/>
                        </mailrepository>
                    </mailrepositories>
                </mailrepositorystore>
                """);
        write(confDir, "recipientrewritetable.xml", """
                <recipientrewritetable>
                    <recursiveMapping>true</recursiveMapping>
                    <mappingLimit>10</mappingLimit>
                </recipientrewritetable>
                """);
        write(confDir, "dnsservice.xml", "<dnsservice><autodiscover>false</autodiscover></dnsservice>\n");
        write(confDir, "listeners.xml", "<listeners/>\n");
        write(confDir, "healthcheck.properties", "# defaults\n");
    }

    static String mailetContainer(String storeDomain, Map<String, String> lmtpDelivery) {
        StringBuilder parameters = new StringBuilder();
        lmtpDelivery.forEach((name, value) -> parameters.append("                <").append(name).append('>')
                .append(escape(value)).append("</").append(name).append(">\n"));
        return """
                <mailetcontainer enableJmx="false">
                    <context>
                        <postmaster>postmaster@%1$s</postmaster>
                    </context>
                    <spooler>
                        <threads>4</threads>
                        <errorRepository>%2$s</errorRepository>
                    </spooler>
                    <processors>
                        <processor state="root" enableJmx="false">
                            <mailet match="All" class="ToProcessor">
                                <processor>transport</processor>
                            </mailet>
                        </processor>
                        <processor state="error" enableJmx="false">
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>%2$s</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="transport" enableJmx="false">
                            <mailet match="All" class="RemoveMimeHeader">
                                <name>bcc</name>
                            </mailet>
                            <mailet match="HostIs=%3$s" class="dev.jameslmtp.mailet.LmtpDelivery">
                %4$s            </mailet>
                            <mailet match="RecipientIsLocal" class="LocalDelivery"/>
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>memory://var/mail/relay-denied/</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="delivered" enableJmx="false">
                            <mailet match="All" class="dev.jameslmtp.demo.OutcomeRecorder">
                                <outcome>delivered</outcome>
                            </mailet>
                            <mailet match="All" class="Null"/>
                        </processor>
                        <processor state="bounces" enableJmx="false">
                            <mailet match="All" class="dev.jameslmtp.demo.OutcomeRecorder">
                                <outcome>bounced</outcome>
                            </mailet>
                            <mailet match="All" class="DSNBounce">
                                <passThrough>false</passThrough>
                            </mailet>
                        </processor>
                    </processors>
                </mailetcontainer>
                """.formatted(Demo.SENDER_DOMAIN, ERROR_REPOSITORY, storeDomain, parameters);
    }

    /** Open relay for loopback clients only; no AUTH, no TLS. */
    static String smtpServer() {
        return """
                <smtpservers>
                    <smtpserver enabled="true">
                        <jmxName>smtpserver</jmxName>
                        <bind>127.0.0.1:0</bind>
                        <connectionBacklog>200</connectionBacklog>
                        <tls socketTLS="false" startTLS="false"/>
                        <connectiontimeout>360</connectiontimeout>
                        <connectionLimit>0</connectionLimit>
                        <connectionLimitPerIP>0</connectionLimitPerIP>
                        <authRequired>false</authRequired>
                        <authorizedAddresses>127.0.0.0/8</authorizedAddresses>
                        <verifyIdentity>false</verifyIdentity>
                        <maxmessagesize>0</maxmessagesize>
                        <addressBracketsEnforcement>true</addressBracketsEnforcement>
                        <smtpGreeting>james-lmtp demo</smtpGreeting>
                        <handlerchain>
                            <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
                        </handlerchain>
                    </smtpserver>
                </smtpservers>
                """;
    }

    /** James's LMTP server in mailbox mode on the given port, or disabled. */
    static String lmtpServer(Optional<Integer> port) {
        if (port.isEmpty()) {
            return "<lmtpservers><lmtpserver enabled=\"false\"/></lmtpservers>\n";
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

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void write(Path confDir, String name, String text) throws IOException {
        Files.writeString(confDir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
