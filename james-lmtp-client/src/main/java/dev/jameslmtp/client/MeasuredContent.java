package dev.jameslmtp.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A {@link Content} that remembers its {@link ContentInfo} after the first measure. Thread-safe:
 * two threads may both measure it the first time, and get the same answer.
 */
public final class MeasuredContent implements Content {

    /** How the content is measured the first time. */
    @FunctionalInterface
    interface Measure {
        ContentInfo take() throws ContentException;
    }

    private final Content content;
    private final Measure measure;
    private volatile ContentInfo info;

    MeasuredContent(Content content, Measure measure) {
        this.content = content;
        this.measure = measure;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        content.writeTo(out);
    }

    ContentInfo info() throws ContentException {
        ContentInfo known = info;
        if (known == null) {
            known = measure.take();
            info = known;
        }
        return known;
    }

    /** The measure of {@code content} already taken, if any; never measures. */
    public static Optional<ContentInfo> known(Content content) {
        return content instanceof MeasuredContent measured ? Optional.ofNullable(measured.info) : Optional.empty();
    }

    /** Remembers {@code info}, taken while {@code content} was written elsewhere, when the content can remember it. */
    public static void remember(Content content, ContentInfo info) {
        if (content instanceof MeasuredContent measured) {
            measured.info = info;
        }
    }

    /** The content's measure, remembered when the content can remember it. */
    public static ContentInfo of(Content content) throws ContentException {
        return content instanceof MeasuredContent measured ? measured.info() : ContentInfo.scan(content);
    }
}
