package dev.jameslmtp.client.sasl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.sasl.SaslException;

import dev.jameslmtp.client.credentials.Credentials;

/** CRAM-MD5 (RFC 2195): {@code user SP hex(HMAC-MD5(password, challenge))}. */
final class CramMd5Exchange implements SaslExchange {

    private final Credentials credentials;
    private boolean answered;

    CramMd5Exchange(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Mechanism mechanism() {
        return Mechanism.CRAM_MD5;
    }

    @Override
    public Optional<byte[]> initialResponse() {
        return Optional.empty();
    }

    @Override
    public byte[] respond(byte[] challenge) throws SaslException {
        if (answered) {
            throw new SaslException("CRAM-MD5: unexpected second server challenge");
        }
        answered = true;
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(credentials.password().utf8(), "HmacMD5"));
            String digest = HexFormat.of().formatHex(mac.doFinal(challenge));
            return (credentials.user() + " " + digest).getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SaslException("CRAM-MD5: cannot compute the digest (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public void complete() throws SaslException {
        if (!answered) {
            throw new SaslException("CRAM-MD5: the server accepted before it sent a challenge");
        }
    }
}
