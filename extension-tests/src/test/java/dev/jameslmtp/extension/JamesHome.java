package dev.jameslmtp.extension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.jameslmtp.demo.JamesConfFiles;
import dev.jameslmtp.demo.WorkDirectory;

/**
 * A James working directory laid out as an operator lays it out: {@code extensions-jars/} holding
 * the extension jar, and {@code conf/} (the files every embedded James of this project writes, see
 * {@link JamesConfFiles}) with the lines of {@code docs/operations.md} for a domain
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
        WorkDirectory.delete(home);
        Path jars = Files.createDirectories(home.resolve("extensions-jars"));
        Files.copy(extensionJar, jars.resolve(extensionJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Path conf = home.resolve("conf");
        JamesConfFiles.write(conf, LOCAL_DOMAIN, List.of(STORE_DOMAIN), smtpServer(storeDestination),
                mailetContainer(storeDestination), JamesConfFiles.LMTP_SERVER_DISABLED);
        Files.writeString(conf.resolve("extensions.properties"),
                "guice.extension.module=dev.jameslmtp.mailet.LmtpDeliveryMailetModule\n", StandardCharsets.UTF_8);
    }

    /** ValidRcptHandler replaced by the recipient-verification hook, before James's core handlers. */
    private static String smtpServer(String storeDestination) {
        return JamesConfFiles.smtpServer("james-lmtp extension test", """
                <handler class="dev.jameslmtp.smtp.VerifyRecipientInStore">
                    <destination>%s</destination>
                </handler>
                """.formatted(storeDestination));
    }

    /** LmtpDelivery for the store's domain, before any HostIsLocal / local-address-error mailet. */
    private static String mailetContainer(String storeDestination) {
        Map<String, String> lmtpDelivery = new LinkedHashMap<>();
        lmtpDelivery.put("destination", storeDestination);
        lmtpDelivery.put("outgoing", QUEUE);
        lmtpDelivery.put("delayTime", "3*1 second");
        lmtpDelivery.put("maxRetries", "3");
        lmtpDelivery.put("bounceProcessor", "bounces");
        String transport = JamesConfFiles.mailet("RecipientIsLocal", "LocalDelivery", Map.of())
                + JamesConfFiles.mailet("HostIs=" + STORE_DOMAIN, "dev.jameslmtp.mailet.LmtpDelivery", lmtpDelivery)
                + JamesConfFiles.mailet("HostIsLocal", "ToProcessor", Map.of("processor", "local-address-error"));
        return JamesConfFiles.mailetContainer(LOCAL_DOMAIN, transport, """
                <processor state="local-address-error" enableJmx="false">
                    <mailet match="All" class="ToRepository">
                        <repositoryPath>memory://var/mail/address-error/</repositoryPath>
                    </mailet>
                </processor>
                <processor state="bounces" enableJmx="false">
                    <mailet match="All" class="DSNBounce">
                        <passThrough>false</passThrough>
                    </mailet>
                </processor>""");
    }
}
