package dev.jameslmtp.mailet.attempt;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;

import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.client.wire.WireSafety;

/**
 * The parts of an LMTP envelope taken from a James mail: the sender ("" for the null sender) and
 * each recipient with its RFC 3461 DSN parameters (NOTIFY, ORCPT as {@code rfc822;xtext}), plus
 * RET and ENVID. The client sends the DSN parameters only when the server offers DSN.
 *
 * <p>James keeps ENVID and ORCPT as the sender wrote them, in xtext already ({@code EnvId.of}
 * insists on it; ORCPT is taken as it came): such a value is passed on as it is, not encoded a
 * second time ({@code user+2Btag} stays {@code user+2Btag}). A value that is not xtext (set by
 * a mailet, say) is encoded.
 */
final class Envelopes {

    private Envelopes() {
    }

    /** @throws IllegalArgumentException when the sender cannot go into MAIL FROM */
    static String sender(Mail mail) {
        String sender = mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
        return WireSafety.requireAddress("sender address", sender);
    }

    /** @throws IllegalArgumentException when the recipient cannot go into RCPT TO */
    static Recipient recipient(Optional<DsnParameters> parameters, MailAddress address) {
        Optional<DsnParameters.RecipientDsnParameters> dsn = parameters
                .map(DsnParameters::getRcptParameters)
                .map(byRecipient -> byRecipient.get(address));
        Optional<String> notify = dsn.flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .filter(set -> !set.isEmpty())
                .map(set -> set.stream().map(n -> n.name().toUpperCase(Locale.ROOT)).collect(Collectors.joining(",")));
        Optional<String> orcpt = dsn.flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter)
                .map(original -> "rfc822;" + asXtext(original.asString()));
        return new Recipient(address.asString(), notify, orcpt);
    }

    /**
     * The SMTP client the mail came from, for XCLIENT: its address (IPv6 as {@code IPV6:...}, as
     * the XCLIENT specification writes it) and the HELO name James recorded ({@link Mail#SMTP_HELO}).
     * Empty when the address is not an IP literal (mail made inside James) or a value cannot go on
     * the wire.
     */
    static Optional<Origin> origin(Mail mail) {
        String address = mail.getRemoteAddr();
        if (address == null || !com.google.common.net.InetAddresses.isInetAddress(address)) {
            return Optional.empty();
        }
        String written = address.contains(":") ? "IPV6:" + address : address;
        Optional<String> helo = mail.getAttribute(Mail.SMTP_HELO).map(attribute -> attribute.getValue().value())
                .filter(String.class::isInstance).map(String.class::cast).filter(Envelopes::isXtext);
        try {
            return Optional.of(new Origin(written, java.util.OptionalInt.empty(), helo));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<String> ret(Optional<DsnParameters> parameters) {
        return parameters.flatMap(DsnParameters::getRetParameter).map(ret -> ret.name().toUpperCase(Locale.ROOT));
    }

    static Optional<String> envid(Optional<DsnParameters> parameters) {
        return parameters.flatMap(DsnParameters::getEnvIdParameter).map(DsnParameters.EnvId::asString).map(Envelopes::asXtext);
    }

    /** The value itself when it is xtext already, else its xtext. */
    static String asXtext(String value) {
        return isXtext(value) ? value : xtext(value);
    }

    /** RFC 3461 §4: {@code xchar} (33-126 but '+' and '=') or '+' and two upper-case hex digits. */
    static boolean isXtext(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length() || !isHexDigit(value.charAt(i + 1)) || !isHexDigit(value.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    /** RFC 3461 §4 xtext: '+', '=' and bytes outside 33..126 as "+HH". */
    static String xtext(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                out.append('+').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }
}
