package dev.jameslmtp.conf;

import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.wire.Transcript;

/**
 * Builds the LMTP client of a mailet from its configuration. The seam through which a Guice
 * extension module (or a test) can decorate or replace the client; {@link #standard()} is what
 * the mailet uses when nothing is bound.
 */
@FunctionalInterface
public interface LmtpClientFactory {

    LmtpClient create(LmtpDeliveryConfiguration configuration, Transcript transcript);

    /** The client of {@code james-lmtp-client}, with the configured LHLO name, timeouts, QUIT, 5xx-greeting and ORCPT policies, BDAT or DATA, TLS and SASL. */
    static LmtpClientFactory standard() {
        return (configuration, transcript) -> LmtpClient.builder()
                .lhloName(configuration.lhloName())
                .timeouts(configuration.timeouts())
                .skipQuitResponse(configuration.skipQuitResponse())
                .skip5xxGreeting(configuration.skip5xxGreeting())
                .orcpt(configuration.orcpt())
                .useChunking(configuration.useChunking())
                .tls(configuration.tls())
                .sasl(configuration.sasl())
                .transcript(transcript)
                .build();
    }
}
