package dev.jameslmtp.conf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport map file that follows its file, as the password map does: before each lookup the
 * file's modification time, size and identity (inode) are compared with those of the last
 * reading, so an edit in place and a replacement by rename are both seen by the next mail (and
 * the next probe of the SMTP hook), without a restart and without {@code postmap}.
 *
 * <p>A reading that fails (the file vanished, became unreadable or malformed) keeps the last good
 * map and logs one error naming the file and the line (never more of it than the configuration
 * errors show); the next change is tried again. At start a broken map fails {@link #open}, so
 * that {@code init()} names the parameter. Thread-safe.
 */
final class TransportMapFile {

    private static final Logger LOGGER = LoggerFactory.getLogger(TransportMapFile.class);

    private final String parameter;
    private final Path file;
    private Stamp stamp;
    private TransportMap map;
    private Stamp lastFailure;

    private TransportMapFile(String parameter, Path file, Stamp stamp, TransportMap map) {
        this.parameter = parameter;
        this.file = file;
        this.stamp = stamp;
        this.map = map;
    }

    /** @throws ConfigurationError naming {@code parameter}, the file and the reason (and line) */
    static TransportMapFile open(String parameter, Path file) {
        Objects.requireNonNull(file, "file");
        Stamp stamp;
        try {
            stamp = Stamp.of(file);
        } catch (IOException e) {
            throw ConfigurationError.unreadable(parameter, file.toString(), e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        return new TransportMapFile(parameter, file, stamp, TransportMap.read(parameter, file));
    }

    /** The map as the file says now, or the last good one while the file is broken. */
    synchronized TransportMap current() {
        Stamp now;
        try {
            now = Stamp.of(file);
        } catch (IOException e) {
            now = null;
        }
        if (stamp.equals(now) || (now != null && now.equals(lastFailure))) {
            return map;
        }
        if (now == null) {
            if (lastFailure != Stamp.GONE) {
                LOGGER.error("transport map {} cannot be read any more; keeping the last good map ({} entries)", file,
                        map.entries().size());
                lastFailure = Stamp.GONE;
            }
            return map;
        }
        try {
            TransportMap fresh = TransportMap.read(parameter, file);
            map = fresh;
            stamp = now;
            lastFailure = null;
            LOGGER.info("transport map {} reloaded: {} entries", file, fresh.entries().size());
        } catch (ConfigurationError e) {
            lastFailure = now;
            LOGGER.error("{}; keeping the last good map ({} entries) until the file is fixed", e.getMessage(), map.entries().size());
        }
        return map;
    }

    Path file() {
        return file;
    }

    /** What tells one version of the file from another. */
    private record Stamp(long modifiedNanos, long size, Object fileKey) {
        static final Stamp GONE = new Stamp(-1, -1, null);

        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.size(), attributes.fileKey());
        }
    }
}
