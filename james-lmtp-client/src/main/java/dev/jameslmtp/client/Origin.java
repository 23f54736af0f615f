package dev.jameslmtp.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import dev.jameslmtp.client.session.Capabilities;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * Where a message came from before it reached James: the SMTP client's address, port and HELO
 * name, passed to a store that offers {@code XCLIENT} (Dovecot to clients in its
 * {@code login_trusted_networks}) so that its logs, its {@code Received:} line and Sieve see the
 * real origin instead of James. Values are checked as ESMTP parameter values (xtext).
 */
public record Origin(String address, OptionalInt port, Optional<String> helo) {

    public Origin {
        WireSafety.requireParameterValue("XCLIENT ADDR", Objects.requireNonNull(address, "address"));
        Objects.requireNonNull(port, "port");
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("XCLIENT PORT outside 1..65535: " + p);
            }
        });
        Objects.requireNonNull(helo, "helo").ifPresent(h -> WireSafety.requireParameterValue("XCLIENT HELO", h));
    }

    /** {@code XCLIENT ADDR=... [PORT=...] [HELO=...]}, with only the attributes the server named after XCLIENT in its LHLO reply. */
    public String command(Capabilities capabilities) {
        StringBuilder command = new StringBuilder("XCLIENT");
        if (capabilities.xclientAttribute("ADDR")) {
            command.append(" ADDR=").append(address);
        }
        if (capabilities.xclientAttribute("PORT")) {
            port.ifPresent(p -> command.append(" PORT=").append(p));
        }
        if (capabilities.xclientAttribute("HELO")) {
            helo.ifPresent(h -> command.append(" HELO=").append(h));
        }
        return command.toString();
    }
}
