package dev.jameslmtp.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code conf/} directory of an embedded James: every file that the modules of
 * {@link EmbeddedJames} read, written out so that nothing falls back to the defaults shipped in
 * the James jars (whose {@code smtpserver.xml} binds 0.0.0.0:25). Servers bind 127.0.0.1 only,
 * on a port the kernel picks. Pure string building apart from {@link #write}.
 *
 * <p>The mailet pipeline: {@code root} → {@code transport}; in {@code transport}, the mandatory
 * {@code RemoveMimeHeader bcc}, local delivery for {@value EmbeddedJames#LOCAL_DOMAIN} (the
 * sender's own domain, where DSNs arrive), then the delivery mailets under test (LmtpDelivery for
 * the LMTP domains), then a {@code relay-denied} repository for anything else; {@code bounces}
 * turns failed recipients into a DSN to the sender with {@code DSNBounce}; {@code error} keeps
 * what a mailet threw on in {@value #ERROR_REPOSITORY}.
 */
final class JamesConfFiles {

    static final String ERROR_REPOSITORY = "memory://var/mail/error/";
    static final String RELAY_DENIED_REPOSITORY = "memory://var/mail/relay-denied/";

    private JamesConfFiles() {
    }

    static void write(Path confDir, String deliveryMailets) {
        try {
            Files.createDirectories(confDir);
            writeFile(confDir.resolve("mailetcontainer.xml"), mailetContainer(deliveryMailets));
            writeFile(confDir.resolve("smtpserver.xml"), smtpServer());
            writeFile(confDir.resolve("lmtpserver.xml"), "<lmtpservers><lmtpserver enabled=\"false\"/></lmtpservers>\n");
            writeFile(confDir.resolve("domainlist.xml"), domainList());
            writeFile(confDir.resolve("dnsservice.xml"), dnsService());
            writeFile(confDir.resolve("usersrepository.xml"), usersRepository());
            writeFile(confDir.resolve("mailrepositorystore.xml"), mailRepositoryStore());
            writeFile(confDir.resolve("recipientrewritetable.xml"), recipientRewriteTable());
            writeFile(confDir.resolve("listeners.xml"), "<listeners/>\n");
            writeFile(confDir.resolve("healthcheck.properties"), "# defaults\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the James configuration under " + confDir, e);
        }
    }

    /** A {@code <mailet>} element: {@code match}, {@code class}, one child element per init parameter. */
    static String mailet(String match, String className, Map<String, String> parameters) {
        StringBuilder xml = new StringBuilder();
        xml.append("            <mailet match=\"").append(escape(match)).append("\" class=\"")
                .append(escape(className)).append("\">\n");
        parameters.forEach((name, value) -> xml.append("                <").append(name).append('>')
                .append(escape(value)).append("</").append(name).append(">\n"));
        xml.append("            </mailet>\n");
        return xml.toString();
    }

    static String mailetContainer(String deliveryMailets) {
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
                            <mailet match="RecipientIsLocal" class="LocalDelivery"/>
                %3$s
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>%4$s</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="bounces" enableJmx="false">
                            <mailet match="All" class="DSNBounce">
                                <passThrough>false</passThrough>
                            </mailet>
                        </processor>
                    </processors>
                </mailetcontainer>
                """.formatted(EmbeddedJames.LOCAL_DOMAIN, ERROR_REPOSITORY, deliveryMailets, RELAY_DENIED_REPOSITORY);
    }

    /** Open relay for loopback clients only, no AUTH, no TLS. */
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
                        <smtpGreeting>james-lmtp integration test</smtpGreeting>
                        <handlerchain>
                            <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
                        </handlerchain>
                    </smtpserver>
                </smtpservers>
                """;
    }

    static String domainList() {
        return """
                <domainlist>
                    <domainnames>
                        <domainname>%1$s</domainname>
                    </domainnames>
                    <autodetect>false</autodetect>
                    <autodetectIP>false</autodetectIP>
                    <defaultDomain>%1$s</defaultDomain>
                </domainlist>
                """.formatted(EmbeddedJames.LOCAL_DOMAIN);
    }

    /** Read by DNSJavaService; {@link EmbeddedJames} replaces the DNS service by an in-memory one anyway. */
    static String dnsService() {
        return """
                <dnsservice>
                    <servers>
                        <server>127.0.0.1</server>
                    </servers>
                    <autodiscover>false</autodiscover>
                    <authoritative>false</authoritative>
                    <maxcachesize>50000</maxcachesize>
                </dnsservice>
                """;
    }

    static String usersRepository() {
        return """
                <usersrepository name="LocalUsers">
                    <enableVirtualHosting>true</enableVirtualHosting>
                </usersrepository>
                """;
    }

    static String mailRepositoryStore() {
        return """
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
                """;
    }

    static String recipientRewriteTable() {
        return """
                <recipientrewritetable>
                    <recursiveMapping>true</recursiveMapping>
                    <mappingLimit>10</mappingLimit>
                </recipientrewritetable>
                """;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void writeFile(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
