package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.mailet.queue.PutBack;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.outcome.Fate;
import dev.jameslmtp.mailet.journal.DeliveryJournal;
import dev.jameslmtp.mailet.journal.FileJournal;
import dev.jameslmtp.mailet.journal.MailJournal;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;

/**
 * Randomized server scripts (accept, 4xx, 5xx at MAIL/RCPT/DATA/after the dot, drops and stalls
 * at any stage, fewer replies than recipients, duplicated reply lines, garbage) against one
 * attempt each. After every attempt: every original recipient is in exactly one of delivered /
 * deferred / bounced, the mail holds exactly the deferred ones, the queue holds them too, and a
 * recipient is delivered only when the script said 2xx after the dot for it. The seed of a failing
 * case is in the assertion message; {@code -Dfault.matrix.seed=N -Dfault.matrix.cases=1} replays it.
 *
 * <p>A second matrix adds James-side faults to each script, through the queue consumer: the queue
 * refusing the put-back of deferred recipients (fewer times than the tries, or every time), the
 * error processor refusing mail, a failed acknowledgement, and a stop in the middle (every LMTP
 * session closed at a random moment, as shutdown does). Then every recipient is in exactly one of
 * delivered ({@code onSuccess}), bounced, error processor, queue (a recipient delivered over LMTP
 * is never on the queue again) unless James could keep deferred recipients nowhere (queue and
 * error processor both refusing), where the queue item is handed back whole only if nobody was
 * delivered or bounced, and deferred recipients are otherwise given up (logged as lost); the
 * queue item is acknowledged once; and without a stop every 2xx after the dot is a delivered recipient (a stop may cut
 * replies after the dot: the RFC 2033 window, where the recipient is deferred). The moment of the
 * stop depends on timing, so a replayed seed may stop elsewhere.
 *
 * <p>A third matrix lets James die at a random point of an attempt (before any line of the
 * delivery journal, or before the acknowledgement) and hands the unacknowledged mail out again:
 * no recipient whose fate was written down is stored, bounced or queued twice, and none is lost.
 */
class FaultMatrixTest {

    private static final long BASE_SEED = Long.getLong("fault.matrix.seed", 20330L);
    private static final int CASES = Integer.getInteger("fault.matrix.cases", 200);
    private static final int JAMES_CASES = Integer.getInteger("fault.matrix.cases", 100);

    enum Act { OK, TEMP, PERM, DROP, STALL, GARBAGE, DUPLICATE }

    /** One server script, drawn from a seed. */
    static final class Script {
        final long seed;
        final List<String> recipients = new ArrayList<>();
        Act greeting;
        Act mail;
        final List<Act> rcpt = new ArrayList<>();
        Act data;
        final List<Act> afterDot = new ArrayList<>();
        int dotReplies;
        Act afterLastDotReply;

        Script(long seed) {
            this.seed = seed;
            Random random = new Random(seed);
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                recipients.add("r" + i + "@b.test");
            }
            if (random.nextInt(5) == 0) {
                recipients.add(recipients.get(random.nextInt(count)));
            }
            greeting = pick(random, 90, Act.OK, Act.TEMP, Act.PERM, Act.DROP, Act.STALL);
            mail = pick(random, 80, Act.OK, Act.TEMP, Act.PERM, Act.DROP, Act.STALL, Act.GARBAGE);
            for (int i = 0; i < recipients.size(); i++) {
                rcpt.add(pick(random, 55, Act.OK, Act.TEMP, Act.PERM, Act.DROP, Act.STALL, Act.GARBAGE, Act.DUPLICATE));
            }
            data = pick(random, 80, Act.OK, Act.TEMP, Act.PERM, Act.DROP, Act.STALL, Act.GARBAGE);
            for (int i = 0; i < recipients.size() + 1; i++) {
                afterDot.add(pick(random, 60, Act.OK, Act.TEMP, Act.PERM, Act.GARBAGE, Act.DUPLICATE));
            }
            dotReplies = random.nextInt(4) == 0 ? random.nextInt(recipients.size() + 1) : Integer.MAX_VALUE;
            afterLastDotReply = pick(random, 0, Act.OK, Act.DROP, Act.STALL);
        }

        private static Act pick(Random random, int okPercent, Act... acts) {
            if (random.nextInt(100) < okPercent) {
                return Act.OK;
            }
            return acts[1 + random.nextInt(acts.length - 1)];
        }

        boolean desynchronising() {
            return rcpt.contains(Act.DUPLICATE) || rcpt.contains(Act.GARBAGE) || afterDot.contains(Act.DUPLICATE)
                    || afterDot.contains(Act.GARBAGE) || mail == Act.GARBAGE || data == Act.GARBAGE;
        }

        @Override
        public String toString() {
            return "seed " + seed + ": recipients " + recipients + ", greeting " + greeting + ", mail " + mail + ", rcpt " + rcpt
                    + ", data " + data + ", afterDot " + afterDot + ", dotReplies " + (dotReplies == Integer.MAX_VALUE ? "all" : dotReplies)
                    + " then " + afterLastDotReply;
        }
    }

    /** Plays the current script. */
    static final class ScriptedHandler implements LmtpHandler {
        final AtomicReference<Script> script = new AtomicReference<>();
        final Map<Long, Integer> dotOkReplies = new HashMap<>();

        @Override
        public Response greeting() {
            return respond(script.get().greeting, "220 fake.test LMTP", "421 4.3.2 busy", "554 5.3.2 no service");
        }

        @Override
        public Response mail(String args) {
            return respond(script.get().mail, "250 2.1.0 Ok", "451 4.3.0 later", "550 5.7.1 sender refused");
        }

        @Override
        public Response rcpt(String args, int index) {
            Act act = index < script.get().rcpt.size() ? script.get().rcpt.get(index) : Act.OK;
            return respond(act, "250 2.1.5 Ok", "450 4.2.1 later", "550 5.1.1 unknown");
        }

        @Override
        public Response data(int acceptedRecipients) {
            Act act = script.get().data;
            if (act == Act.OK) {
                return acceptedRecipients > 0 ? Response.reply("354 go ahead") : Response.reply("503 5.5.1 No valid recipients");
            }
            return respond(act, "354 go ahead", "451 4.3.0 later", "554 5.3.0 no");
        }

        @Override
        public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
            Script s = script.get();
            List<Response> replies = new ArrayList<>();
            int ok = 0;
            for (int k = 0; k < acceptedRcptArgs.size() && k < s.dotReplies; k++) {
                Act act = s.afterDot.get(Math.min(k, s.afterDot.size() - 1));
                replies.add(respond(act, "250 2.0.0 Saved", "452 4.2.2 full", "552 5.2.2 over quota"));
                ok += act == Act.OK ? 1 : act == Act.DUPLICATE ? 2 : 0;
            }
            synchronized (dotOkReplies) {
                dotOkReplies.merge(s.seed, ok, Integer::sum);
            }
            if (s.dotReplies != Integer.MAX_VALUE) {
                replies.add(s.afterLastDotReply == Act.STALL ? Response.stall() : Response.drop());
            }
            return replies;
        }

        private static Response respond(Act act, String ok, String temp, String perm) {
            return switch (act) {
                case OK -> Response.reply(ok);
                case TEMP -> Response.reply(temp);
                case PERM -> Response.reply(perm);
                case DROP -> Response.drop();
                case STALL -> Response.stall();
                case GARBAGE -> Response.raw("this is not a reply\r\n");
                case DUPLICATE -> Response.reply(ok, ok);
            };
        }
    }

    @Test
    void everyRecipientShouldEndInExactlyOneStateAndBeDeliveredOnlyOnA2xxAfterTheDot() throws Exception {
        ScriptedHandler handler = new ScriptedHandler();
        try (FakeLmtpServer server = FakeLmtpServer.start(handler)) {
            FakeMailContext context = FakeMailContext.defaultContext();
            LmtpDelivery mailet = matrixMailet(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                    context, server, FakeMailetConfig.builder());
            try {
                for (int i = 0; i < CASES; i++) {
                    Script script = new Script(BASE_SEED + i);
                    handler.script.set(script);
                    try {
                        check(mailet, context, handler, script);
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError("fault matrix case failed, " + script + ": " + e.getMessage(), e);
                    }
                }
            } finally {
                mailet.destroy();
            }
        }
    }

    private static void check(LmtpDelivery mailet, FakeMailContext context, ScriptedHandler handler, Script script) throws Exception {
        context.resetSentMails();
        ManageableMailQueue queue = (ManageableMailQueue) mailet.pipeline().queue();
        queue.clear();
        FakeMail mail = FakeMail.builder().name("case-" + script.seed)
                .mimeMessage(TestMails.mail("alice@a.test", "x@b.test").getMessage())
                .sender("alice@a.test")
                .recipients(script.recipients.toArray(String[]::new))
                .build();
        List<MailAddress> original = List.copyOf(mail.getRecipients());

        DeliveryResult outcomes = mailet.pipeline().attempt(mail);

        assertThat(outcomes.recipients()).as("one verdict per recipient, by position")
                .containsExactlyElementsOf(original.stream().map(MailAddress::asString).toList());
        List<String> partition = new ArrayList<>();
        for (Fate fate : Fate.values()) {
            partition.addAll(outcomes.addresses(fate));
        }
        assertThat(partition).containsExactlyInAnyOrderElementsOf(outcomes.recipients());
        assertThat(addresses(mail.getRecipients())).containsExactlyInAnyOrderElementsOf(outcomes.addresses(Fate.DEFERRED));
        List<MailAddress> queued = new ArrayList<>();
        queue.browse().forEachRemaining(item -> queued.addAll(item.getMail().getRecipients()));
        assertThat(addresses(queued)).containsExactlyInAnyOrderElementsOf(outcomes.addresses(Fate.DEFERRED));
        List<MailAddress> bounced = new ArrayList<>();
        context.getSentMails().forEach(sent -> bounced.addAll(sent.getRecipients()));
        assertThat(addresses(bounced)).containsExactlyInAnyOrderElementsOf(outcomes.addresses(Fate.BOUNCED).stream().distinct().toList());

        List<Integer> delivered = outcomes.positions(Fate.DELIVERED);
        delivered.forEach(index -> assertThat(outcomes.verdict(index).reply())
                .hasValueSatisfying(reply -> assertThat(reply.code() / 100).isEqualTo(2)));
        int okAfterDot;
        synchronized (handler.dotOkReplies) {
            okAfterDot = handler.dotOkReplies.getOrDefault(script.seed, 0);
        }
        assertThat(delivered.size()).as("delivered recipients vs 2xx replies after the dot").isLessThanOrEqualTo(okAfterDot);
        if (!script.desynchronising()) {
            for (int index : delivered) {
                assertThat(scriptDelivers(script, index)).as("script delivers recipient #" + index).isTrue();
            }
        }
    }

    private static List<String> addresses(java.util.Collection<MailAddress> recipients) {
        return recipients.stream().map(MailAddress::asString).toList();
    }

    /** Whether the script, read by position, says 2xx after the dot for recipient {@code index}. */
    private static boolean scriptDelivers(Script script, int index) {
        if (script.greeting != Act.OK || script.mail != Act.OK || script.data != Act.OK || script.rcpt.get(index) != Act.OK) {
            return false;
        }
        int k = 0;
        for (int p = 0; p < index; p++) {
            if (script.rcpt.get(p) == Act.OK) {
                k++;
            }
            if (script.rcpt.get(p) == Act.DROP || script.rcpt.get(p) == Act.STALL) {
                return false;
            }
        }
        return k < script.dotReplies && script.afterDot.get(Math.min(k, script.afterDot.size() - 1)) == Act.OK;
    }

    /** James-side faults drawn from a seed: the queue refusing put-backs, a failed acknowledgement, a stop in the middle. */
    record JamesFaults(int putBackFailures, boolean errorProcessorFails, boolean acknowledgementFails, long stopAfterMillis) {

        static JamesFaults draw(long seed) {
            Random random = new Random(seed * 31 + 7);
            int putBackFailures = random.nextInt(10) < 6 ? 0 : 1 + random.nextInt(PutBack.TRIES + 1);
            boolean errorProcessorFails = random.nextInt(3) == 0;
            boolean acknowledgementFails = random.nextInt(5) == 0;
            long stopAfterMillis = random.nextInt(4) == 0 ? random.nextInt(300) : -1;
            return new JamesFaults(putBackFailures, errorProcessorFails, acknowledgementFails, stopAfterMillis);
        }

        /** James can keep deferred recipients nowhere: the queue refuses them every time and so does the error processor. */
        boolean nowhereToKeepDeferred() {
            return putBackFailures >= PutBack.TRIES && errorProcessorFails;
        }
    }

    @Test
    void everyRecipientShouldKeepExactlyOneFateAndNeverBeSentAgainWhenJamesFailsAroundTheAttempt() throws Exception {
        ScriptedHandler handler = new ScriptedHandler();
        FlakyQueueFactory queues = new FlakyQueueFactory(Clock.systemUTC());
        ScheduledExecutorService stopper = Executors.newSingleThreadScheduledExecutor();
        Map<String, Integer> covered = new HashMap<>();
        try (FakeLmtpServer server = FakeLmtpServer.start(handler)) {
            for (int i = 0; i < JAMES_CASES; i++) {
                Script script = new Script(BASE_SEED + 100_000 + i);
                JamesFaults faults = JamesFaults.draw(script.seed);
                handler.script.set(script);
                try {
                    checkWithJamesFaults(server, queues, stopper, handler, script, faults).forEach(path -> covered.merge(path, 1, Integer::sum));
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("fault matrix case failed, " + script + ", " + faults + ": " + e.getMessage(), e);
                }
            }
            if (JAMES_CASES >= 100) {
                assertThat(covered).as("paths the matrix went through").containsKeys("deferred put back after refusals",
                        "deferred to the error processor", "deferred kept nowhere", "acknowledgement failed", "stopped");
            }
        } finally {
            stopper.shutdownNow();
        }
    }

    /**
     * The mailet both matrices drive, initialised: {@code server} as destination, bounces to
     * {@code bounces}, one transaction per mail, 3 retries a minute apart, every timeout 250 ms;
     * {@code config} may hold more parameters.
     */
    private static LmtpDelivery matrixMailet(MailQueueFactory<?> queues, MailetContext context, FakeLmtpServer server,
                                             FakeMailetConfig.Builder config) throws MessagingException {
        LmtpDelivery mailet = new LmtpDelivery(queues, new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(),
                LmtpDelivery.ConsumerMode.DO_NOT_START);
        config.mailetName("lmtp").mailetContext(context)
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("bounceProcessor", "bounces")
                .setProperty("recipientLimit", "0")
                .setProperty("maxRetries", "3")
                .setProperty("delayTime", "1 minute");
        for (String timeout : List.of("connect", "lhlo", "mail", "rcpt", "data", "body", "dot", "rset", "quit")) {
            config.setProperty(timeout + "Timeout", "250ms");
        }
        mailet.init(config.build());
        return mailet;
    }

    /** Checks one case; returns the James-side paths it went through. */
    private static List<String> checkWithJamesFaults(FakeLmtpServer server, FlakyQueueFactory queues, ScheduledExecutorService stopper,
                                             ScriptedHandler handler, Script script, JamesFaults faults) throws Exception {
        FakeMailContext context = FakeMailContext.defaultContext();
        MailetContext james = (MailetContext) Proxy.newProxyInstance(MailetContext.class.getClassLoader(), new Class<?>[] {MailetContext.class},
                (proxy, method, args) -> {
                    if (faults.errorProcessorFails() && method.getName().equals("sendMail") && args != null && args.length == 2
                            && Mail.ERROR.equals(args[1])) {
                        throw new MessagingException("injected failure of the error processor");
                    }
                    try {
                        return method.invoke(context, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LmtpDelivery mailet = matrixMailet(queues, james, server, FakeMailetConfig.builder().setProperty("onSuccess", "delivered"));
        try {
            ManageableMailQueue queue = (ManageableMailQueue) mailet.pipeline().queue();
            queue.clear();
            List<String> distinct = script.recipients.stream().distinct().toList();
            FakeMail mail = FakeMail.builder().name("case-" + script.seed)
                    .mimeMessage(TestMails.mail("alice@a.test", "x@b.test").getMessage())
                    .sender("alice@a.test")
                    .recipients(distinct.toArray(String[]::new))
                    .build();
            List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
            MailQueue.MailQueueItem item = new RecordingQueueItem(mail, acknowledgements) {
                @Override
                public void done(CompletionStatus status) throws MailQueue.MailQueueException {
                    super.done(status);
                    if (faults.acknowledgementFails()) {
                        throw new MailQueue.MailQueueException("injected acknowledgement failure");
                    }
                }
            };
            queues.failEnqueues(faults.putBackFailures());
            if (faults.stopAfterMillis() >= 0) {
                stopper.schedule(mailet.pipeline()::abortSessions, faults.stopAfterMillis(), TimeUnit.MILLISECONDS);
            }

            mailet.pipeline().consumer().process(item);

            queues.failEnqueues(0);
            List<String> delivered = recipientsSentTo(context, "delivered");
            List<String> bounced = recipientsSentTo(context, "bounces");
            List<String> inError = recipientsSentTo(context, Mail.ERROR);
            List<String> queued = new ArrayList<>();
            queue.browse().forEachRemaining(view -> view.getMail().getRecipients().forEach(r -> queued.add(r.asString())));
            List<String> fates = new ArrayList<>();
            fates.addAll(delivered);
            fates.addAll(bounced);
            fates.addAll(inError);
            fates.addAll(queued);
            assertThat(acknowledgements).as("one acknowledgement").hasSize(1);
            List<String> unkept = new ArrayList<>(distinct);
            fates.forEach(unkept::remove);
            assertThat(fates).as("no recipient in two of delivered/bounced/error/queued").doesNotHaveDuplicates();
            if (acknowledgements.get(0) == MailQueue.MailQueueItem.CompletionStatus.RETRY) {
                assertThat(faults.nowhereToKeepDeferred()).as("handed back whole only when James could keep it nowhere else").isTrue();
                assertThat(delivered).as("a mail handed back whole had nobody delivered").isEmpty();
                assertThat(bounced).as("a mail handed back whole had nobody bounced").isEmpty();
                assertThat(unkept).as("the queue item keeps every recipient").containsExactlyInAnyOrderElementsOf(distinct);
            } else if (faults.nowhereToKeepDeferred() && !unkept.isEmpty()) {
                assertThat(delivered.size() + bounced.size()).as("deferred recipients are given up only when others were settled")
                        .isPositive();
            } else {
                assertThat(unkept).as("every recipient in exactly one of delivered/bounced/error/queued").isEmpty();
            }
            if (faults.putBackFailures() >= PutBack.TRIES) {
                assertThat(queued).as("put-back refused every time: deferred recipients in the error processor").isEmpty();
            } else {
                assertThat(inError).isEmpty();
            }
            int okAfterDot;
            synchronized (handler.dotOkReplies) {
                okAfterDot = handler.dotOkReplies.getOrDefault(script.seed, 0);
            }
            assertThat(delivered.size()).as("delivered recipients vs 2xx replies after the dot").isLessThanOrEqualTo(okAfterDot);
            if (!script.desynchronising() && faults.stopAfterMillis() < 0) {
                assertThat(delivered.size()).as("without a stop, every 2xx after the dot is a delivered recipient").isEqualTo(okAfterDot);
            }
            List<String> paths = new ArrayList<>();
            if (!queued.isEmpty() && faults.putBackFailures() > 0) {
                paths.add("deferred put back after refusals");
            }
            if (!inError.isEmpty()) {
                paths.add("deferred to the error processor");
            }
            if (faults.nowhereToKeepDeferred() && !unkept.isEmpty()) {
                paths.add("deferred kept nowhere");
            }
            if (faults.acknowledgementFails()) {
                paths.add("acknowledgement failed");
            }
            if (faults.stopAfterMillis() >= 0) {
                paths.add("stopped");
            }
            return paths;
        } finally {
            mailet.destroy();
        }
    }

    private static List<String> recipientsSentTo(FakeMailContext context, String state) {
        List<String> recipients = new ArrayList<>();
        context.getSentMails().stream().filter(sent -> state.equals(sent.getState()))
                .forEach(sent -> sent.getRecipients().forEach(r -> recipients.add(r.asString())));
        return recipients;
    }

    private static final int CRASH_CASES = Integer.getInteger("fault.matrix.cases", 150);

    /** Thrown by the journal hook: James dies there; nothing after it happens. */
    static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash", null, false, false);
        }
    }

    /** Per-recipient replies at RCPT and after the dot in the first run; everything accepted once {@code acceptAll}. Counts 2xx sent after the dot, per address. */
    static final class CrashHandler implements LmtpHandler {
        final Map<String, Act> rcpt = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Act> dot = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Integer> stored = new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean acceptAll;

        @Override
        public Response rcpt(String args, int index) {
            Act act = acceptAll ? Act.OK : rcpt.getOrDefault(LmtpHandler.path(args), Act.OK);
            return act == Act.OK ? Response.reply("250 2.1.5 Ok") : act == Act.TEMP ? Response.reply("450 4.2.1 later")
                    : Response.reply("550 5.1.1 unknown");
        }

        @Override
        public List<Response> afterDot(List<String> acceptedRcptArgs, byte[] body) {
            List<Response> replies = new ArrayList<>();
            for (String args : acceptedRcptArgs) {
                String address = LmtpHandler.path(args);
                Act act = acceptAll ? Act.OK : dot.getOrDefault(address, Act.OK);
                if (act == Act.OK) {
                    stored.merge(address, 1, Integer::sum);
                }
                replies.add(act == Act.OK ? Response.reply("250 2.0.0 Saved") : act == Act.TEMP ? Response.reply("452 4.2.2 full")
                        : Response.reply("552 5.2.2 over quota"));
            }
            return replies;
        }
    }

    /**
     * The crash dimension: James dies (an Error thrown before the n-th journal line, or before the
     * sync that precedes the acknowledgement, n drawn at random) in an attempt whose recipients get
     * random replies; the queue item was not acknowledged, so it is handed out again, as it was
     * enqueued, and delivered with the journal; then what is on the queue is delivered. Then every
     * recipient is stored or bounced exactly once, except those James had carried out but not yet
     * written down when it died: a 2xx after the dot sent by the store but not yet read or not yet
     * written (the RFC 2033 window), and a bounce whose line the crash preceded. A put-back whose
     * line the crash preceded is made again under the same copy id, and the two copies are
     * delivered once. None is lost.
     */
    @Test
    void noRecipientShouldBeSentTwiceOrLostWhenJamesDiesAtARandomPointAndTheMailIsHandedOutAgain(@org.junit.jupiter.api.io.TempDir
                                                                                                java.nio.file.Path journals) throws Exception {
        CrashHandler handler = new CrashHandler();
        try (FakeLmtpServer server = FakeLmtpServer.start(handler)) {
            FakeMailContext context = FakeMailContext.defaultContext();
            LmtpDelivery mailet = crashMatrixMailet(server, context, Map.of("journalDirectory", journals.toString()), null);
            try {
                runCrashMatrix(mailet, mailet, context, handler, id -> {
                    try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(journals)) {
                        assertThat(left.filter(file -> file.toString().endsWith(FileJournal.SUFFIX)))
                                .as("journal removed after the acknowledgement (the sweeper's heartbeat stays)").isEmpty();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } finally {
                mailet.destroy();
            }
        }
    }

    /**
     * The crash dimension on several James nodes sharing the journal in James's blob store: node A
     * dies at a random point, and the queue hands the mail to node B, which reads A's marks; then
     * what is on either node's queue is delivered by B. Same expectations as on one node.
     */
    @Test
    void noRecipientShouldBeSentTwiceOrLostWhenANodeDiesAtARandomPointAndAnotherNodeTakesTheMail() throws Exception {
        CrashHandler handler = new CrashHandler();
        dev.jameslmtp.mailet.journal.RecordingBlobStore store = new dev.jameslmtp.mailet.journal.RecordingBlobStore();
        try (FakeLmtpServer server = FakeLmtpServer.start(handler)) {
            FakeMailContext context = FakeMailContext.defaultContext();
            LmtpDelivery nodeA = crashMatrixMailet(server, context, Map.of("journalStore", "blobstore"), store);
            LmtpDelivery nodeB = crashMatrixMailet(server, context, Map.of("journalStore", "blobstore"), store);
            try {
                runCrashMatrix(nodeA, nodeB, context, handler, id -> assertThat(store.text("journal.crash-matrix." + id))
                        .as("a settled record in the shared store once acknowledged").hasValueSatisfying(text -> assertThat(text)
                        .matches("settled \\d+\n")));
            } finally {
                nodeA.destroy();
                nodeB.destroy();
            }
        }
    }

    private static LmtpDelivery crashMatrixMailet(FakeLmtpServer server, FakeMailContext context, Map<String, String> journal,
                                                  org.apache.james.blob.api.BlobStoreDAO store) throws Exception {
        LmtpDelivery mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()),
                new RecordingMetricFactory(), () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        if (store != null) {
            mailet.setBlobStoreDAO(store);
        }
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(context)
                .setProperty("destination", "inet:127.0.0.1:" + server.port())
                .setProperty("bounceProcessor", "bounces")
                .setProperty("outgoing", "crash-matrix")
                .setProperty("recipientLimit", "2")
                .setProperty("connectionCacheEnabled", "false");
        journal.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    private static void runCrashMatrix(LmtpDelivery crashing, LmtpDelivery next, FakeMailContext context, CrashHandler handler,
                                       java.util.function.Consumer<String> journalLeftCheck) {
        Map<String, Integer> covered = new HashMap<>();
        for (int i = 0; i < CRASH_CASES; i++) {
            long seed = BASE_SEED + 200_000 + i;
            try {
                covered.merge(checkCrash(crashing, next, context, handler, journalLeftCheck, seed), 1, Integer::sum);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("crash matrix case failed, seed " + seed + ", replies " + handler.rcpt + " / "
                        + handler.dot + ": " + e.getMessage(), e);
            }
        }
        if (CRASH_CASES >= 100) {
            assertThat(covered).as("where the crashes fell").containsKeys("no crash", "crash before a delivered line",
                    "crash before a requeued line", "crash before a bounced line", "crash before the acknowledgement");
        }
    }

    /** One case: {@code mailet} dies, {@code next} takes the mail (the same mailet on one node); returns where the crash fell. */
    private static String checkCrash(LmtpDelivery mailet, LmtpDelivery next, FakeMailContext context, CrashHandler handler,
                                     java.util.function.Consumer<String> journalLeftCheck, long seed) throws Exception {
        Random random = new Random(seed);
        context.resetSentMails();
        ManageableMailQueue queue = (ManageableMailQueue) mailet.pipeline().queue();
        ManageableMailQueue nextQueue = (ManageableMailQueue) next.pipeline().queue();
        queue.clear();
        nextQueue.clear();
        handler.acceptAll = false;
        handler.rcpt.clear();
        handler.dot.clear();
        handler.stored.clear();
        List<String> recipients = new ArrayList<>();
        int count = 1 + random.nextInt(6);
        for (int r = 0; r < count; r++) {
            String address = "r" + r + "@b.test";
            recipients.add(address);
            handler.rcpt.put(address, Script.pick(random, 70, Act.OK, Act.TEMP, Act.PERM));
            handler.dot.put(address, Script.pick(random, 60, Act.OK, Act.TEMP, Act.PERM));
        }
        int crashAt = random.nextInt(count + 2); // lines (one per recipient at most) and the sync: sometimes no crash
        List<String> written = new ArrayList<>();
        AtomicReference<String> crashedBefore = new AtomicReference<>();
        mailet.pipeline().journal().beforeWrite(line -> {
            if (written.size() == crashAt && crashedBefore.get() == null) {
                crashedBefore.set(line);
                throw new SimulatedCrash();
            }
            written.add(line);
        });
        String id = "crash-" + seed;
        List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements = new ArrayList<>();
        try {
            mailet.pipeline().consumer().process(queuedItem(id, recipients, acknowledgements));
        } catch (SimulatedCrash crash) {
            assertThat(acknowledgements).as("nothing acknowledged by a James that died").isEmpty();
        }
        mailet.pipeline().journal().beforeWrite(line -> { });
        String where = "no crash";
        java.util.Set<String> doneBeforeCrash = new java.util.HashSet<>(handler.stored.keySet());
        context.getSentMails().forEach(sent -> sent.getRecipients().forEach(r -> doneBeforeCrash.add(r.asString())));
        queue.browse().forEachRemaining(view -> view.getMail().getRecipients().forEach(r -> doneBeforeCrash.add(r.asString())));
        if (crashedBefore.get() != null) {
            String line = crashedBefore.get();
            where = line.equals(MailJournal.SYNC) ? "crash before the acknowledgement" : "crash before a " + line.split(" ")[1] + " line";
            handler.acceptAll = true;
            next.pipeline().consumer().process(queuedItem(id, recipients, acknowledgements)); // the persistent queue hands it out again
        }

        assertThat(acknowledgements).as("acknowledged once, by the attempt that finished").containsExactly(
                MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        journalLeftCheck.accept(id);
        // the store now accepts everything: what is on the queues is delivered (put-back copies made twice across the crash
        // share a journal id and must be delivered once)
        handler.acceptAll = true;
        List<Mail> putBack = new ArrayList<>();
        queue.browse().forEachRemaining(view -> putBack.add(view.getMail()));
        queue.clear();
        if (nextQueue != queue) {
            nextQueue.browse().forEachRemaining(view -> putBack.add(view.getMail()));
            nextQueue.clear();
        }
        for (Mail copy : putBack) {
            next.pipeline().consumer().process(new RecordingQueueItem(copy, new ArrayList<>()));
        }
        assertThat(queue.getSize()).as("nothing left on the queue once the store accepts everything").isZero();
        assertThat(nextQueue.getSize()).as("nothing left on the other node's queue").isZero();
        Map<String, Integer> fates = new HashMap<>(handler.stored);
        context.getSentMails().forEach(sent -> sent.getRecipients().forEach(r -> fates.merge(r.asString(), 1, Integer::sum)));
        java.util.Set<String> recorded = new java.util.HashSet<>();
        written.stream().filter(line -> !line.equals(MailJournal.SYNC)).forEach(line -> recorded.add(line.strip().split(" ")[2]));
        for (String recipient : recipients) {
            boolean window = crashedBefore.get() != null && doneBeforeCrash.contains(recipient) && !recorded.contains(recipient);
            int times = fates.getOrDefault(recipient, 0);
            assertThat(times).as(recipient + " stored or bounced (" + where + ", lines written " + written + ")")
                    .isBetween(1, window ? 2 : 1);
        }
        return where;
    }

    private static MailQueue.MailQueueItem queuedItem(String id, List<String> recipients,
                                                      List<MailQueue.MailQueueItem.CompletionStatus> acknowledgements) throws Exception {
        FakeMail mail = FakeMail.builder().name(id)
                .mimeMessage(TestMails.mail("alice@a.test", "x@b.test").getMessage())
                .sender("alice@a.test")
                .recipients(recipients.toArray(String[]::new))
                .attribute(new org.apache.mailet.Attribute(org.apache.mailet.AttributeName.of(DeliveryJournal.ID),
                        org.apache.mailet.AttributeValue.of(id)))
                .build();
        return new RecordingQueueItem(mail, acknowledgements);
    }
}
