package dev.jameslmtp.client.sasl;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import javax.security.sasl.SaslException;

import dev.jameslmtp.client.credentials.Credentials;

/** PLAIN (RFC 4616): {@code \0user\0password} in UTF-8, no authorization identity (as Postfix). */
final class PlainExchange implements SaslExchange {

    private final Credentials credentials;
    private int challenges;

    PlainExchange(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Mechanism mechanism() {
        return Mechanism.PLAIN;
    }

    @Override
    public Optional<byte[]> initialResponse() {
        return Optional.of(message());
    }

    /** A server that ignored the initial response sends an empty challenge: answer it once. */
    @Override
    public byte[] respond(byte[] challenge) throws SaslException {
        if (challenges++ > 0 || challenge.length > 0) {
            throw new SaslException("PLAIN: unexpected server challenge");
        }
        return message();
    }

    @Override
    public void complete() {
    }

    private byte[] message() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(credentials.user().getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(credentials.password().utf8());
        return out.toByteArray();
    }
}
