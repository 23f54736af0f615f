package dev.jameslmtp.client.session;

import java.io.IOException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Origin;
import dev.jameslmtp.client.wire.Command;
import dev.jameslmtp.client.wire.Reply;
import dev.jameslmtp.client.wire.Transcript;
import dev.jameslmtp.client.wire.Wire;

/**
 * The XCLIENT exchange (Postfix's {@code XCLIENT}, offered by Dovecot to trusted clients): the
 * mail's origin with the attributes the server named, then LHLO again, as the server greets anew.
 */
final class Xclient {

    private static final Logger LOGGER = LoggerFactory.getLogger(Xclient.class);

    private Xclient() {
    }

    /**
     * Passes {@code origin}; the capabilities of the new LHLO when the server took it, empty when it
     * refused (other than 421: logged, the transaction goes on without the original client).
     *
     * @throws ServerClosingException on a 421, or an LHLO refused after XCLIENT
     */
    static Optional<Capabilities> pass(Wire wire, Origin origin, Capabilities capabilities, String lhloName, String peer)
            throws IOException {
        wire.stage(Stage.LHLO);
        wire.send(Command.of(origin.command(capabilities)));
        Reply reply = ServerClosingException.read(wire, Stage.LHLO);
        if (reply.code() != 220) {
            LOGGER.warn("{}: XCLIENT refused ({}); the transaction goes on without the original client", peer,
                    Transcript.neutralise(reply.toString()));
            return Optional.empty();
        }
        wire.send(Command.of("LHLO " + lhloName));
        Reply lhlo = ServerClosingException.read(wire, Stage.LHLO);
        if (!lhlo.isPositive()) {
            throw new ServerClosingException(Stage.LHLO, lhlo);
        }
        return Optional.of(Capabilities.from(lhlo));
    }
}
