package dev.jameslmtp.testing;

import java.nio.file.Path;
import java.util.Map;

/**
 * The text of the private {@code dovecot.conf} and passwd-file that {@link DovecotLmtpServer}
 * writes. Pure string building, so that it can be read (and checked) in one place.
 */
final class DovecotConfig {

    private DovecotConfig() {
    }

    /** Who the mail is stored as, and the users Dovecot's own processes run as. */
    record Identity(int mailUid, int mailGid, String internalUser, String loginUser) {
    }

    /**
     * Where things go. {@code workDir} holds the configuration, logs and state; {@code shared} (the
     * passwd-file and the Maildirs, read by unprivileged Dovecot processes) is workDir unless
     * workDir cannot be entered by other users; {@code baseDir} holds Dovecot's sockets and must be
     * short. {@code privateDir}, if not null, is a directory under /tmp that the harness deletes.
     */
    record Layout(Path workDir, Path shared, Path baseDir, Path lmtpSocket, Path privateDir) {

        Path mailRoot() {
            return shared.resolve("mail");
        }

        Path usersFile() {
            return shared.resolve("users");
        }
    }

    static String dovecotConf(Layout layout, int port, Identity identity, DovecotOptions options) {
        Path workDir = layout.workDir();
        Path baseDir = layout.baseDir();
        Path usersFile = layout.usersFile();
        Path lmtpSocket = layout.lmtpSocket();
        Path log = workDir.resolve("dovecot.log");
        return String.join("\n",
                "# Private configuration written by dev.jameslmtp.testing.DovecotLmtpServer",
                "base_dir = " + baseDir,
                "state_dir = " + workDir.resolve("state"),
                "instance_name = dovecot-test-" + port,
                "log_path = " + log,
                "info_log_path = " + log,
                "debug_log_path = " + log,
                options.tls().isPresent()
                        ? "ssl = yes\nssl_cert = <" + workDir.resolve("tls-cert.pem") + "\nssl_key = <" + workDir.resolve("tls-key.pem")
                        : "ssl = no",
                "protocols = lmtp",
                "listen = 127.0.0.1",
                "hostname = " + DovecotLmtpServer.HOSTNAME,
                "default_internal_user = " + identity.internalUser(),
                "default_login_user = " + identity.loginUser(),
                "first_valid_uid = " + identity.mailUid(),
                "first_valid_gid = " + identity.mailGid(),
                "mail_uid = " + identity.mailUid(),
                "mail_gid = " + identity.mailGid(),
                "mail_location = maildir:" + layout.mailRoot() + "/%d/%n",
                "mail_save_crlf = yes",
                // Dotlocks (the Maildir's dovecot-uidlist.lock, maildirsize) made by link() of a file already holding
                // the pid, not by O_EXCL and then write(): a SIGKILL between those two left an empty lock, which
                // Dovecot waits 2 minutes to call stale, stalling that mailbox for every delivery (seen by the soak).
                "dotlock_use_excl = no",
                "mail_plugins = $mail_plugins quota",
                "quota_full_tempfail = " + yesNo(options.quotaFullTempfail()),
                "lmtp_rcpt_check_quota = " + yesNo(options.lmtpRcptCheckQuota()),
                "lmtp_hdr_delivery_address = " + (options.originalDeliveryAddress() ? "original" : "final"),
                "login_trusted_networks = " + (options.trustLoopback() ? "127.0.0.0/8" : ""),
                "auth_cache_size = 0",
                "passdb {",
                "  driver = passwd-file",
                "  args = scheme=PLAIN username_format=%u " + usersFile,
                "}",
                "userdb {",
                "  driver = passwd-file",
                "  args = username_format=%u " + usersFile,
                "}",
                "plugin {",
                "  quota = maildir:User quota",
                "}",
                "service lmtp {",
                "  inet_listener lmtp {",
                "    address = 127.0.0.1",
                "    port = " + port,
                "  }",
                "  unix_listener " + (lmtpSocket.getParent().equals(baseDir) ? lmtpSocket.getFileName() : lmtpSocket) + " {",
                "    mode = 0666",
                "  }",
                "}",
                "");
    }

    /**
     * One passwd-file line per user: {@code user@domain:{PLAIN}password:::::home::userdb_quota_rule=...}
     * (uid and gid empty: the global mail_uid/mail_gid apply).
     */
    static String usersFile(Path mailRoot, Map<String, String> quotaRules) {
        StringBuilder out = new StringBuilder();
        quotaRules.forEach((user, rule) -> {
            out.append(user).append('@').append(DovecotLmtpServer.DOMAIN)
                    .append(":{PLAIN}").append(user).append("-password::::")
                    .append(mailRoot.resolve(DovecotLmtpServer.DOMAIN).resolve(user)).append("::");
            if (!rule.isEmpty()) {
                out.append("userdb_quota_rule=").append(rule);
            }
            out.append('\n');
        });
        return out.toString();
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
