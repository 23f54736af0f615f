package dev.jameslmtp.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code conf/} files that every embedded in-memory James of this project writes in the
 * same way (the demo's, see {@link DemoConf}, and the integration tests'), in full so that
 * nothing falls back to the defaults inside the James jars (whose {@code smtpserver.xml} binds
 * 0.0.0.0:25). SMTP binds 127.0.0.1 on a port the kernel picks.
 *
 * <p>The caller supplies what differs: the mail processing (built with
 * {@link #mailetContainer}) and {@code lmtpserver.xml}. The mailet container always has
 * {@code root} → {@code transport}; {@code transport} starts with the mandatory
 * {@code RemoveMimeHeader bcc} and ends in the {@value #RELAY_DENIED_REPOSITORY} repository;
 * {@code error} keeps what a mailet threw on in {@value #ERROR_REPOSITORY}.
 */
public final class JamesConfFiles {

    public static final String ERROR_REPOSITORY = "memory://var/mail/error/";
    public static final String RELAY_DENIED_REPOSITORY = "memory://var/mail/relay-denied/";
    public static final String LMTP_SERVER_DISABLED = "<lmtpservers><lmtpserver enabled=\"false\"/></lmtpservers>\n";

    private JamesConfFiles() {
    }

    /**
     * Writes the whole {@code conf/} directory.
     *
     * @param localDomain James's own domain: declared, the default one, and the postmaster's
     */
    public static void write(Path confDir, String localDomain, String smtpGreeting, String mailetContainer,
                             String lmtpServer) throws IOException {
        write(confDir, localDomain, List.of(), smtpServer(smtpGreeting), mailetContainer, lmtpServer);
    }

    /**
     * As {@link #write(Path, String, String, String, String)}, declaring {@code moreDomains} besides
     * {@code localDomain} (see {@link #domainList(String, List)}) and with the given
     * {@code smtpserver.xml} (built with {@link #smtpServer(String, String)}).
     */
    public static void write(Path confDir, String localDomain, List<String> moreDomains, String smtpServer,
                             String mailetContainer, String lmtpServer) throws IOException {
        Files.createDirectories(confDir);
        write(confDir, "mailetcontainer.xml", mailetContainer);
        write(confDir, "smtpserver.xml", smtpServer);
        write(confDir, "lmtpserver.xml", lmtpServer);
        write(confDir, "domainlist.xml", domainList(localDomain, moreDomains));
        write(confDir, "dnsservice.xml", dnsService());
        write(confDir, "usersrepository.xml", usersRepository());
        write(confDir, "mailrepositorystore.xml", mailRepositoryStore());
        write(confDir, "recipientrewritetable.xml", recipientRewriteTable());
        write(confDir, "listeners.xml", "<listeners/>\n");
        write(confDir, "healthcheck.properties", "# defaults\n");
    }

    /**
     * {@code mailetcontainer.xml}: {@code root}, {@code error}, {@code transport} with
     * {@code transportMailets} between the bcc removal and the relay-denied repository, then
     * {@code moreProcessors} (each a {@code <processor>} element).
     */
    public static String mailetContainer(String localDomain, String transportMailets, String moreProcessors) {
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
                %3$s
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>%4$s</repositoryPath>
                            </mailet>
                        </processor>
                %5$s    </processors>
                </mailetcontainer>
                """.formatted(localDomain, ERROR_REPOSITORY, transportMailets, RELAY_DENIED_REPOSITORY,
                moreProcessors.indent(8));
    }

    /** A {@code <mailet>} element: {@code match}, {@code class}, one child element per init parameter. */
    public static String mailet(String match, String className, Map<String, String> parameters) {
        StringBuilder xml = new StringBuilder();
        xml.append("            <mailet match=\"").append(escape(match)).append("\" class=\"")
                .append(escape(className)).append("\">\n");
        parameters.forEach((name, value) -> xml.append("                <").append(name).append('>')
                .append(escape(value)).append("</").append(name).append(">\n"));
        xml.append("            </mailet>\n");
        return xml.toString();
    }

    /** Open relay for loopback clients only, no AUTH, no TLS. */
    static String smtpServer(String greeting) {
        return smtpServer(greeting, "");
    }

    /**
     * As {@link #smtpServer(String)}, with {@code handlers} ({@code <handler>} elements, e.g. the
     * recipient-verification hook) placed before James's core handlers, as ValidRcptHandler is in
     * James's sample configuration.
     */
    public static String smtpServer(String greeting, String handlers) {
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
                        <smtpGreeting>%s</smtpGreeting>
                        <handlerchain>
                %s            <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
                        </handlerchain>
                    </smtpserver>
                </smtpservers>
                """.formatted(escape(greeting), handlers.indent(12));
    }

    /** {@code localDomain} (the default one) and {@code moreDomains}, e.g. domains whose users live only in an LMTP store. */
    public static String domainList(String localDomain, List<String> moreDomains) {
        StringBuilder more = new StringBuilder();
        moreDomains.forEach(domain -> more.append("        <domainname>").append(escape(domain)).append("</domainname>\n"));
        return """
                <domainlist>
                    <domainnames>
                        <domainname>%1$s</domainname>
                %2$s    </domainnames>
                    <autodetect>false</autodetect>
                    <autodetectIP>false</autodetectIP>
                    <defaultDomain>%1$s</defaultDomain>
                </domainlist>
                """.formatted(localDomain, more);
    }

    /** Read by DNSJavaService; both embeddings replace the DNS service by a loopback one anyway. */
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

    private static void write(Path confDir, String name, String text) throws IOException {
        Files.writeString(confDir.resolve(name), text, StandardCharsets.UTF_8);
    }
}
