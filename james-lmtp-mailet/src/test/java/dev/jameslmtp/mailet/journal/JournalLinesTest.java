package dev.jameslmtp.mailet.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class JournalLinesTest {

    @Test
    void aDerivedIdShouldBeTheJdksNameUuidOfTheSameBytes() {
        assertThat(JournalLines.nameUuid("queued\nm1\ninet:[127.0.0.1]:24\n\n<id@a.test>\nbob@b.test\n".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(UUID.nameUUIDFromBytes("queued\nm1\ninet:[127.0.0.1]:24\n\n<id@a.test>\nbob@b.test\n".getBytes(StandardCharsets.UTF_8)));
        Random random = new Random(7);
        for (int n = 0; n < 5_000; n++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            assertThat(JournalLines.nameUuid(bytes)).isEqualTo(UUID.nameUUIDFromBytes(bytes));
        }
    }

    @Test
    void threadsDerivingIdsAtOnceShouldEachGetTheRightOne() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            java.util.List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(threads.submit(() -> {
                    Random random = new Random(seed);
                    for (int n = 0; n < 2_000; n++) {
                        byte[] bytes = new byte[1 + random.nextInt(100)];
                        random.nextBytes(bytes);
                        if (!JournalLines.nameUuid(bytes).equals(UUID.nameUUIDFromBytes(bytes))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
