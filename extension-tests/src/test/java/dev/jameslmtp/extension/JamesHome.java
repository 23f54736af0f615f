package dev.jameslmtp.extension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A James working directory laid out as an operator lays it out: {@code extensions-jars/} holding
 * the extension jar, and {@code conf/} with the lines of {@code docs/operations.md} for a domain
 * ({@value #STORE_DOMAIN}) whose users live only in the LMTP store.
 */
final class JamesHome {

    static final String LOCAL_DOMAIN = "sender.test";
    static final String STORE_DOMAIN = "example.test";
    static final String QUEUE = "lmtp-outgoing";

    private JamesHome() {
    }

    /** Wipes {@code home}, copies {@code extensionJar} into {@code extensions-jars/} and writes {@code conf/}. */
    static void create(Path home, Path extensionJar, String storeDestination) throws IOException {
        deleteRecursively(home);
        Path jars = Files.createDirectories(home.resolve("extensions-jars"));
        Files.copy(extensionJar, jars.resolve(extensionJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Path conf = Files.createDirectories(home.resolve("conf"));
        write(conf, "extensions.properties", "guice.extension.module=dev.jameslmtp.mailet.LmtpDeliveryMailetModule\n");
        write(conf, "smtpserver.xml", smtpServer(storeDestination));
        write(conf, "mailetcontainer.xml", mailetContainer(storeDestination));
        write(conf, "domainlist.xml", """
                <domainlist>
                    <domainnames>
                        <domainname>%s</domainname>
                        <domainname>%s</domainname>
                    </domainnames>
                    <autodetect>false</autodetect>
                    <autodetectIP>false</autodetectIP>
                    <defaultDomain>%1$s</defaultDomain>
                </domainlist>
                """.formatted(LOCAL_DOMAIN, STORE_DOMAIN));
        write(conf, "lmtpserver.xml", "<lmtpservers><lmtpserver enabled=\"false\"/></lmtpservers>\n");
        write(conf, "dnsservice.xml", """
                <dnsservice>
                    <servers><server>127.0.0.1</server></servers>
                    <autodiscover>false</autodiscover>
                    <authoritative>false</authoritative>
                    <maxcachesize>50000</maxcachesize>
                </dnsservice>
                """);
        write(conf, "usersrepository.xml", """
                <usersrepository name="LocalUsers">
                    <enableVirtualHosting>true</enableVirtualHosting>
                </usersrepository>
                """);
        write(conf, "mailrepositorystore.xml", """
                <mailrepositorystore>
                    <defaultProtocol>memory</defaultProtocol>
                    <mailrepositories>
                        <mailrepository class="org.apache.james.mailrepository.memory.MemoryMailRepository">
                            <protocols><protocol>memory</protocol></protocols>
                            <config FIFO="false" CACHEKEYS="true"/>
                        </mailrepository>
                    </mailrepositories>
                </mailrepositorystore>
                """);
        write(conf, "recipientrewritetable.xml", """
                <recipientrewritetable>
                    <recursiveMapping>true</recursiveMapping>
                    <mappingLimit>10</mappingLimit>
                </recipientrewritetable>
                """);
        write(conf, "listeners.xml", "<listeners/>\n");
        write(conf, "healthcheck.properties", "# defaults\n");
    }

    /** ValidRcptHandler replaced by the recipient-verification hook, before James's core handlers. */
    private static String smtpServer(String storeDestination) {
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
                        <smtpGreeting>james-lmtp extension test</smtpGreeting>
                        <handlerchain>
                            <handler class="dev.jameslmtp.smtp.VerifyRecipientInStore">
                                <destination>%s</destination>
                            </handler>
                            <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
                        </handlerchain>
                    </smtpserver>
                </smtpservers>
                """.formatted(storeDestination);
    }

    /** LmtpDelivery for the store's domain, before any HostIsLocal / local-address-error mailet. */
    private static String mailetContainer(String storeDestination) {
        return """
                <mailetcontainer enableJmx="false">
                    <context>
                        <postmaster>postmaster@%1$s</postmaster>
                    </context>
                    <spooler>
                        <threads>4</threads>
                        <errorRepository>memory://var/mail/error/</errorRepository>
                    </spooler>
                    <processors>
                        <processor state="root" enableJmx="false">
                            <mailet match="All" class="ToProcessor">
                                <processor>transport</processor>
                            </mailet>
                        </processor>
                        <processor state="error" enableJmx="false">
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>memory://var/mail/error/</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="transport" enableJmx="false">
                            <mailet match="All" class="RemoveMimeHeader">
                                <name>bcc</name>
                            </mailet>
                            <mailet match="RecipientIsLocal" class="LocalDelivery"/>
                            <mailet match="HostIs=%2$s" class="dev.jameslmtp.mailet.LmtpDelivery">
                                <destination>%3$s</destination>
                                <outgoing>%4$s</outgoing>
                                <delayTime>3*1 second</delayTime>
                                <maxRetries>3</maxRetries>
                                <bounceProcessor>bounces</bounceProcessor>
                            </mailet>
                            <mailet match="HostIsLocal" class="ToProcessor">
                                <processor>local-address-error</processor>
                            </mailet>
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>memory://var/mail/relay-denied/</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="local-address-error" enableJmx="false">
                            <mailet match="All" class="ToRepository">
                                <repositoryPath>memory://var/mail/address-error/</repositoryPath>
                            </mailet>
                        </processor>
                        <processor state="bounces" enableJmx="false">
                            <mailet match="All" class="DSNBounce">
                                <passThrough>false</passThrough>
                            </mailet>
                        </processor>
                    </processors>
                </mailetcontainer>
                """.formatted(LOCAL_DOMAIN, STORE_DOMAIN, storeDestination, QUEUE);
    }

    private static void write(Path conf, String name, String text) throws IOException {
        Files.writeString(conf.resolve(name), text, StandardCharsets.UTF_8);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
