package dev.jameslmtp.mailet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * A fake LMTP server script deciding per recipient address: its RCPT reply and its reply after
 * the final dot (default 250 for both). Counts the transactions that reached the dot.
 */
public final class PerRecipientHandler implements LmtpHandler {

    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> dotReplies = new ConcurrentHashMap<>();
    public final AtomicInteger dots = new AtomicInteger();

    PerRecipientHandler rcpt(String address, String reply) {
        rcptReplies.put(address, reply);
        return this;
    }

    PerRecipientHandler afterDot(String address, String reply) {
        dotReplies.put(address, reply);
        return this;
    }

    public PerRecipientHandler acceptAll() {
        rcptReplies.clear();
        dotReplies.clear();
        return this;
    }

    @Override
    public Response rcpt(String args, int index) {
        return Response.reply(rcptReplies.getOrDefault(LmtpHandler.path(args), "250 2.1.5 Ok"));
    }

    @Override
    public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
        dots.incrementAndGet();
        List<Response> replies = new ArrayList<>();
        for (String rcpt : acceptedRcptArgs) {
            String address = LmtpHandler.path(rcpt);
            replies.add(Response.reply(dotReplies.getOrDefault(address, "250 2.0.0 <" + address + "> Saved")));
        }
        return replies;
    }
}
