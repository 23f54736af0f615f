package dev.jameslmtp.client.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import javax.security.sasl.SaslException;

import dev.jameslmtp.client.credentials.Credentials;

/**
 * LOGIN (draft-murchison-sasl-login): the first challenge ("Username:") gets the user, the second
 * ("Password:") the password, whatever the prompts say; a third is an error.
 */
final class LoginExchange implements SaslExchange {

    private final Credentials credentials;
    private int step;

    LoginExchange(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Mechanism mechanism() {
        return Mechanism.LOGIN;
    }

    @Override
    public Optional<byte[]> initialResponse() {
        return Optional.empty();
    }

    @Override
    public byte[] respond(byte[] challenge) throws SaslException {
        return switch (step++) {
            case 0 -> credentials.user().getBytes(StandardCharsets.UTF_8);
            case 1 -> credentials.password().utf8();
            default -> throw new SaslException("LOGIN: unexpected third server challenge");
        };
    }

    @Override
    public void complete() throws SaslException {
        if (step < 2) {
            throw new SaslException("LOGIN: the server accepted before the password was sent");
        }
    }
}
