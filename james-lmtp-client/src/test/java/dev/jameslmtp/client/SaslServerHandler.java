package dev.jameslmtp.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * The server side of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256 and SCRAM-SHA-256-PLUS for one user,
 * written from the RFCs for the fake server (so the client is checked against an independent
 * implementation). Offers {@code beforeTls} mechanisms in clear and {@code afterTls} after
 * STARTTLS. Single-connection use per exchange; the SCRAM state is per handler.
 *
 * <p>SCRAM checks the gs2 header and the {@code c=} of the final message as a server must (RFC
 * 5802 §5.1, §6): {@code p=tls-server-end-point} with {@link #serverBinding} (the hash of the
 * certificate this server presented, set by the test) for {@code -PLUS}; {@code y} refused when
 * this server offered a {@code -PLUS} mechanism (downgrade); {@code c=} must repeat the header.
 */
class SaslServerHandler implements LmtpHandler {

    private final String user;
    private final String password;
    private final List<String> beforeTls;
    private final List<String> afterTls;
    private final boolean offerStartTls;
    final AtomicInteger authCommands = new AtomicInteger();
    volatile boolean corruptServerSignature;
    volatile String refusal = "535 5.7.8 Authentication credentials invalid";
    /** The channel binding data this server computes for its own certificate (tls-server-end-point). */
    volatile byte[] serverBinding;
    /** The SCRAM iteration count this server announces ({@code i=}) and computes with. */
    volatile int iterations = 4096;
    /** The gs2 headers of the SCRAM exchanges, in order. */
    final List<String> gs2Headers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean tlsUp;
    private String gs2Header;

    private String mechanism;
    private String clientFirstBare;
    private String serverFirst;
    private byte[] salt = "salt-for-tests".getBytes(StandardCharsets.US_ASCII);
    private String cramChallenge;

    SaslServerHandler(String user, String password, List<String> beforeTls, List<String> afterTls, boolean offerStartTls) {
        this.user = user;
        this.password = password;
        this.beforeTls = beforeTls;
        this.afterTls = afterTls;
        this.offerStartTls = offerStartTls;
    }

    @Override
    public Response lhlo(String arg) {
        List<String> capabilities = new ArrayList<>(DEFAULT_CAPABILITIES);
        if (offerStartTls) {
            capabilities.add("STARTTLS");
        }
        if (!beforeTls.isEmpty()) {
            capabilities.add("AUTH " + String.join(" ", beforeTls));
        }
        return LmtpHandler.lhloReply("fake.test", capabilities);
    }

    @Override
    public Response lhloAfterTls(String arg) {
        tlsUp = true;
        List<String> capabilities = new ArrayList<>(DEFAULT_CAPABILITIES);
        if (!afterTls.isEmpty()) {
            capabilities.add("AUTH " + String.join(" ", afterTls));
        }
        return LmtpHandler.lhloReply("fake.test", capabilities);
    }

    @Override
    public Response starttls() {
        return Response.reply("220 2.0.0 Ready to start TLS");
    }

    @Override
    public synchronized Response auth(String args) {
        authCommands.incrementAndGet();
        String[] words = args.split(" ", 2);
        mechanism = words[0];
        String initial = words.length > 1 ? words[1] : null;
        switch (mechanism) {
            case "PLAIN":
                return initial == null ? Response.reply("334 ") : checkPlain(initial);
            case "LOGIN":
                return Response.reply("334 " + b64("Username:"));
            case "CRAM-MD5":
                cramChallenge = "<" + System.nanoTime() + "@fake.test>";
                return Response.reply("334 " + b64(cramChallenge));
            case "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS":
                String clientFirst = new String(Base64.getDecoder().decode(initial), StandardCharsets.UTF_8);
                gs2Header = clientFirst.substring(0, clientFirst.indexOf(",,") + 2);
                gs2Headers.add(gs2Header);
                boolean plus = mechanism.endsWith("-PLUS");
                boolean offeredPlus = (tlsUp ? afterTls : beforeTls).stream().anyMatch(m -> m.endsWith("-PLUS"));
                if (plus != gs2Header.startsWith("p=") || plus && !gs2Header.equals("p=tls-server-end-point,,")
                        || gs2Header.startsWith("y") && offeredPlus) {
                    return Response.reply(refusal);
                }
                clientFirstBare = clientFirst.substring(clientFirst.indexOf(",,") + 2);
                String clientNonce = clientFirstBare.substring(clientFirstBare.indexOf("r=") + 2);
                serverFirst = "r=" + clientNonce + "srv" + System.nanoTime() + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
                return Response.reply("334 " + b64(serverFirst));
            default:
                return Response.reply("504 5.5.4 Unrecognized authentication type");
        }
    }

    @Override
    public synchronized Response authContinuation(String line, int step) {
        if (line.equals("*")) {
            return Response.reply("501 5.0.0 AUTH aborted");
        }
        String decoded = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
        switch (mechanism) {
            case "PLAIN":
                return checkPlain(line);
            case "LOGIN":
                if (step == 0) {
                    return decoded.equals(user) ? Response.reply("334 " + b64("Password:")) : Response.reply(refusal);
                }
                return decoded.equals(password) ? ok() : Response.reply(refusal);
            case "CRAM-MD5":
                String expected = user + " " + HexFormat.of().formatHex(hmac("HmacMD5", bytes(password), bytes(cramChallenge)));
                return decoded.equals(expected) ? ok() : Response.reply(refusal);
            case "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS":
                if (step == 0) {
                    return scramFinal(decoded);
                }
                return line.isEmpty() ? ok() : Response.reply("501 5.5.2 expected an empty line");
            default:
                return Response.reply("501 5.5.2 confused");
        }
    }

    private Response scramFinal(String clientFinal) {
        String withoutProof = clientFinal.substring(0, clientFinal.indexOf(",p="));
        byte[] header = bytes(gs2Header);
        byte[] expectedBinding = header;
        if (mechanism.endsWith("-PLUS")) {
            byte[] data = serverBinding;
            expectedBinding = java.util.Arrays.copyOf(header, header.length + data.length);
            System.arraycopy(data, 0, expectedBinding, header.length, data.length);
        }
        if (!withoutProof.startsWith("c=" + Base64.getEncoder().encodeToString(expectedBinding) + ",")) {
            return Response.reply(refusal);
        }
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(clientFinal.indexOf(",p=") + 3));
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] salted = pbkdf2(password, salt, iterations);
        byte[] clientKey = hmac("HmacSHA256", salted, bytes("Client Key"));
        byte[] storedKey = sha256(clientKey);
        byte[] clientSignature = hmac("HmacSHA256", storedKey, bytes(authMessage));
        byte[] recovered = new byte[clientKey.length];
        for (int i = 0; i < recovered.length; i++) {
            recovered[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!MessageDigest.isEqual(sha256(recovered), storedKey)) {
            return Response.reply(refusal);
        }
        byte[] serverSignature = hmac("HmacSHA256", hmac("HmacSHA256", salted, bytes("Server Key")), bytes(authMessage));
        if (corruptServerSignature) {
            serverSignature[0] ^= 1;
        }
        return Response.reply("334 " + b64("v=" + Base64.getEncoder().encodeToString(serverSignature)));
    }

    private Response checkPlain(String base64) {
        String expected = "\0" + user + "\0" + password;
        String decoded = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        return decoded.equals(expected) ? ok() : Response.reply(refusal);
    }

    private static Response ok() {
        return Response.reply("235 2.7.0 Authentication successful");
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
