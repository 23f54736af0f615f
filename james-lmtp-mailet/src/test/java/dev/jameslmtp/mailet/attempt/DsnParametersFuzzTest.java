package dev.jameslmtp.mailet.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.base.test.FakeMail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.Recipient;
import dev.jameslmtp.mailet.report.DsnSender;

/**
 * Fuzzes the RFC 3461 DSN parameters passed on to the store (ENVID, ORCPT, both xtext): any text
 * encodes to xtext that the client's records accept and that decodes back to it, and what a
 * sender gave James over SMTP (xtext already) reaches the store meaning the same, not encoded a
 * second time. Seeds: {@code src/test/resources/dev/jameslmtp/mailet/attempt/DsnParametersFuzzTestInputs/}.
 */
class DsnParametersFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void dsnParametersShouldReachTheStoreAsXtextMeaningWhatTheSenderMeant(FuzzedDataProvider data) throws Exception {
        assertEncodesToXtextThatDecodesBack(new String(data.consumeBytes(data.consumeInt(0, 200)), StandardCharsets.UTF_8));
        String envid = wire(data, data.consumeBytes(data.consumeInt(1, 100)));
        String local = wire(data, data.consumeRemainingAsBytes());
        MailAddress recipient = new MailAddress("rcpt@b.test");
        DsnParameters.Builder parameters = DsnParameters.builder().envId(DsnParameters.EnvId.of(envid));
        // as James's DSNRcptParameterHook reads "ORCPT=rfc822;..." from RCPT TO
        Optional<DsnParameters.RecipientDsnParameters> orcpt = Optional.empty();
        try {
            orcpt = DsnParameters.RecipientDsnParameters.fromSMTPArgLine(Map.of("ORCPT", "rfc822;" + local + "@orig.test"));
        } catch (IllegalArgumentException notAnAddressForJames) {
            // James refuses it at RCPT TO: nothing reaches us
        }
        orcpt.ifPresent(value -> parameters.addRcptParameter(recipient, value));
        FakeMail mail = FakeMail.builder().name("fuzz").sender("a@a.test").recipient(recipient).build();
        mail.setDsnParameters(parameters.build().orElseThrow());

        Optional<DsnParameters> read = DsnSender.dsnParameters(mail);
        assertThat(read).as("as James reads them").isEqualTo(mail.dsnParameters());
        assertThat(Envelopes.envid(read).map(DsnParametersFuzzTest::decode)).contains(decode(envid));
        Recipient sent = Envelopes.recipient(read, recipient);
        if (orcpt.isPresent()) {
            String value = sent.originalRecipient().orElseThrow();
            assertThat(value).startsWith("rfc822;");
            String asSent = value.substring("rfc822;".length());
            assertThat(isXtext(asSent)).isTrue();
            String asStored = orcpt.get().getOrcptParameter().orElseThrow().asString();
            assertThat(decode(asSent)).isEqualTo(decode(asStored));
        }
    }

    /** Any text encodes to xtext that the client's records accept and that decodes back to it. */
    private static void assertEncodesToXtextThatDecodesBack(String text) {
        String encoded = Envelopes.xtext(text);

        assertThat(isXtext(encoded)).as("xtext: %s", encoded).isTrue();
        assertThat(decode(encoded)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        new Envelope("a@a.test", List.of(new Recipient("b@b.test", Optional.empty(), Optional.of("rfc822;" + encoded))),
                Optional.empty(), Optional.of(encoded)); // the records' checks accept it
    }

    /** Bytes as a sender writes them in xtext: hexchar where it must, and where it may (chosen by the fuzzer). */
    private static String wire(FuzzedDataProvider data, byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            boolean must = c < 33 || c > 126 || c == '+' || c == '=';
            if (must || (data.remainingBytes() > 0 && data.consumeBoolean())) {
                out.append('+').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /** RFC 3461 §4: xchar (33-126 but '+' and '=') or '+' and two upper-case hex digits. */
    static boolean isXtext(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                if (i + 2 >= text.length() || !isHex(text.charAt(i + 1)) || !isHex(text.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    static byte[] decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+' && i + 2 < xtext.length() && isHex(xtext.charAt(i + 1)) && isHex(xtext.charAt(i + 2))) {
                out.write(Integer.parseInt(xtext.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
