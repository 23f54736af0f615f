package dev.jameslmtp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.jameslmtp.client.wire.DotStuffingOutputStream;
import dev.jameslmtp.testing.FakeLmtpServer;

class ContentInfoTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            CRLF lines                 | a\\r\\nb\\r\\n   | 6
            bare LF                    | a\\nb\\n         | 6
            bare CR                    | a\\rb\\r         | 6
            no final line end          | a\\r\\nb         | 6
            CR CR LF                   | a\\r\\r\\nb      | 8
            a leading dot is not stuffed in the count | .a\\r\\n | 4
            empty                      | ''               | 0
            """)
    void sizeShouldCountTheMessageWithCrlfLineEndsAndWithoutStuffing(String name, String message, long size) {
        byte[] bytes = message.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(ContentInfo.of(bytes).size()).isEqualTo(size);
    }

    @Test
    void sizeShouldBeTheLengthOfTheUnstuffedDataStreamOnRandomMessages() throws IOException {
        Random random = new Random(42);
        byte[] alphabet = {'\r', '\n', '.', 'x', (byte) 0x80};
        for (int round = 0; round < 1000; round++) {
            byte[] message = new byte[random.nextInt(30)];
            for (int i = 0; i < message.length; i++) {
                message[i] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            DotStuffingOutputStream data = new DotStuffingOutputStream(wire);
            data.write(message);
            data.finish();
            byte[] body = Arrays.copyOf(wire.toByteArray(), wire.size() - 3);

            ContentInfo info = ContentInfo.scan(out -> out.write(message));
            assertThat(info.size()).as("message %s", Arrays.toString(message)).isEqualTo(FakeLmtpServer.unstuff(body).length);
            assertThat(info).isEqualTo(ContentInfo.of(message));
        }
    }

    @Test
    void eightBitShouldBeSeenOnlyWhenAByteHasItsHighBitSet() {
        assertThat(ContentInfo.of("plain\r\n".getBytes(StandardCharsets.US_ASCII)).eightBit()).isFalse();
        assertThat(ContentInfo.of("caf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1)).eightBit()).isTrue();
    }

    @Test
    void measuredContentShouldBeReadOnceForItsMeasureHoweverOftenItIsAsked() throws IOException {
        AtomicInteger reads = new AtomicInteger();
        Content counted = Content.measuredOnce(out -> {
            reads.incrementAndGet();
            out.write("Subject: x\n\nbody\n".getBytes(StandardCharsets.US_ASCII));
        });

        ContentInfo first = MeasuredContent.of(counted);
        ContentInfo second = MeasuredContent.of(counted);

        assertThat(first).isEqualTo(second).isEqualTo(new ContentInfo(20, false));
        assertThat(reads).hasValue(1);
    }
}
