package dev.jameslmtp.testing;

import java.time.Duration;
import java.util.Optional;

/** Startup options of a {@link DovecotLmtpServer}; immutable, change with the withers. */
public record DovecotOptions(boolean quotaFullTempfail, boolean lmtpRcptCheckQuota, Duration startupTimeout,
                             Optional<TestCertificates.Leaf> tls, boolean originalDeliveryAddress, boolean trustLoopback) {

    public DovecotOptions {
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout <= 0: " + startupTimeout);
        }
    }

    /** Over quota is {@code 552 5.2.2} after the dot; startup waits up to 20 s. */
    public static DovecotOptions defaults() {
        return new DovecotOptions(false, false, Duration.ofSeconds(20), Optional.empty(), false, false);
    }

    /** Dovecot {@code quota_full_tempfail}: true turns over-quota into {@code 452 4.2.2}. */
    public DovecotOptions quotaFullTempfail(boolean value) {
        return new DovecotOptions(value, lmtpRcptCheckQuota, startupTimeout, tls, originalDeliveryAddress, trustLoopback);
    }

    /** Dovecot {@code lmtp_rcpt_check_quota}: true checks the quota at RCPT instead of after the dot. */
    public DovecotOptions lmtpRcptCheckQuota(boolean value) {
        return new DovecotOptions(quotaFullTempfail, value, startupTimeout, tls, originalDeliveryAddress, trustLoopback);
    }

    public DovecotOptions startupTimeout(Duration value) {
        return new DovecotOptions(quotaFullTempfail, lmtpRcptCheckQuota, value, tls, originalDeliveryAddress, trustLoopback);
    }

    /** {@code ssl = yes} with this certificate: LMTP offers STARTTLS. */
    public DovecotOptions withTls(TestCertificates.Leaf certificate) {
        return new DovecotOptions(quotaFullTempfail, lmtpRcptCheckQuota, startupTimeout, Optional.of(certificate),
                originalDeliveryAddress, trustLoopback);
    }

    /** Dovecot {@code lmtp_hdr_delivery_address = original}: {@code Delivered-To:} shows RCPT TO's ORCPT when given. */
    public DovecotOptions originalDeliveryAddress(boolean value) {
        return new DovecotOptions(quotaFullTempfail, lmtpRcptCheckQuota, startupTimeout, tls, value, trustLoopback);
    }

    /** Dovecot {@code login_trusted_networks = 127.0.0.0/8}: LMTP offers XCLIENT to clients on loopback. */
    public DovecotOptions trustLoopback(boolean value) {
        return new DovecotOptions(quotaFullTempfail, lmtpRcptCheckQuota, startupTimeout, tls, originalDeliveryAddress, value);
    }
}
