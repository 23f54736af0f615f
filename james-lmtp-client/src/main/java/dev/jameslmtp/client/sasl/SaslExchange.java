package dev.jameslmtp.client.sasl;

import java.util.Optional;

import javax.security.sasl.SaslException;

/**
 * The client side of one SASL exchange, free of any protocol framing: the LMTP session sends
 * {@code AUTH <mechanism> [initial response]}, hands each decoded 334 challenge to
 * {@link #respond}, and on 235 calls {@link #complete} so that a mechanism with mutual
 * authentication (SCRAM) can refuse a server that never proved it knows the password.
 *
 * <p>Every method throws {@link SaslException} for a challenge that makes no sense; the message
 * never contains the password.
 */
public interface SaslExchange {

    Mechanism mechanism();

    /** The response sent with the AUTH command (RFC 4954 initial response), if any. */
    Optional<byte[]> initialResponse() throws SaslException;

    /** The response to a server challenge (the decoded text after {@code 334 }). */
    byte[] respond(byte[] challenge) throws SaslException;

    /** The server said 235; throws if the mechanism did not finish (a SCRAM server never sent {@code v=}). */
    void complete() throws SaslException;
}
