package dev.jameslmtp.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.Envelope;
import dev.jameslmtp.client.LmtpClient;
import dev.jameslmtp.client.outcome.DeliveryResult;
import dev.jameslmtp.client.session.Timeouts;

/**
 * Heap growth while one large message goes through the client. The client delivers on the
 * calling thread, so the bytes that thread allocated during the delivery bound what the delivery
 * can hold: the primary figure. Beside it, heap in use sampled every millisecond, its peak minus
 * the heap in use after a GC just before; that one counts garbage, the TLABs handed to threads
 * (megabytes with a large heap) and whatever other threads allocate, so it overstates.
 */
final class HeapProbe {

    record Figure(long peakGrowthBytes, long allocatedBytes, long messageBytes) {
    }

    private HeapProbe() {
    }

    static Figure deliver(int sinkPort, long messageBytes) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        LmtpClient client = LmtpClient.builder().lhloName("bench.localdomain")
                .timeouts(Timeouts.defaults().withAll(Duration.ofMinutes(5))).build();
        Destination sink = Destination.parse("inet:[127.0.0.1]:" + sinkPort);
        System.gc();
        Thread.sleep(100);
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        DeliveryResult result = client.deliver(sink, Envelope.of("sender@sender.test", "user@store.test"), Messages.streamed(messageBytes));
        allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
        sampler.interrupt();
        sampler.join();
        if (!result.allDelivered()) {
            throw new IllegalStateException("the large message was not delivered: " + result);
        }
        return new Figure(peak.get() - baseline, allocated, messageBytes);
    }
}
