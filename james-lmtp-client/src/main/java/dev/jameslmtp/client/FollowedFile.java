package dev.jameslmtp.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's map file (a password map, a transport map) read at start and read again when it
 * changes, without a restart and without Postfix's {@code postmap}: before each use the file's
 * modification time, size, identity (inode) and permissions are compared with those of the last
 * reading, so an edit in place, a replacement by rename and a chmod alone are all seen.
 *
 * <p>A reading that fails (the file vanished or became unreadable, or {@code read} threw
 * {@code failure}) keeps the last good value and logs one error per failed version of the file,
 * naming it (and, in {@code read}'s message, the line; never its content); the next change is
 * tried again. Any other exception of {@code read} is a bug and propagates. Thread-safe.
 *
 * @param <T> what the file is read into
 */
public final class FollowedFile<T> {

    private static final Logger LOGGER = LoggerFactory.getLogger(FollowedFile.class);

    private final String what;
    private final Path file;
    private final Function<Path, T> read;
    private final Class<? extends RuntimeException> failure;
    private final ToIntFunction<T> entries;
    private Stamp stamp;
    private T value;
    private Stamp lastFailure;

    private FollowedFile(String what, Path file, Function<Path, T> read, Class<? extends RuntimeException> failure,
                         ToIntFunction<T> entries, Stamp stamp, T value) {
        this.what = what;
        this.file = file;
        this.read = read;
        this.failure = failure;
        this.entries = entries;
        this.stamp = stamp;
        this.value = value;
    }

    /**
     * Reads {@code file} with {@code read} now.
     *
     * @param what    how log lines name it ({@code "password map"})
     * @param failure what {@code read} throws for a file it cannot use; its message names the file
     * @param entries the number of entries of a value, for the log
     * @throws IOException when the file cannot be looked at; what {@code read} throws when it cannot be used
     */
    public static <T> FollowedFile<T> open(String what, Path file, Function<Path, T> read, Class<? extends RuntimeException> failure,
                                           ToIntFunction<T> entries) throws IOException {
        Objects.requireNonNull(file, "file");
        Stamp stamp = Stamp.of(file);
        return new FollowedFile<>(what, file, read, failure, entries, stamp, read.apply(file));
    }

    /** The value as the file says now, or the last good one while the file is broken. */
    public synchronized T current() {
        Stamp now;
        try {
            now = Stamp.of(file);
        } catch (IOException e) {
            failed(Stamp.GONE, what + " " + file + " cannot be read any more (" + e.getClass().getSimpleName() + ")");
            return value;
        }
        if (now.equals(stamp) || now.equals(lastFailure)) {
            return value;
        }
        try {
            T fresh = read.apply(file);
            value = fresh;
            stamp = now;
            lastFailure = null;
            LOGGER.info("{} {} reloaded: {} entries", what, file, entries.applyAsInt(fresh));
        } catch (RuntimeException e) {
            if (!failure.isInstance(e)) {
                throw e;
            }
            failed(now, e.getMessage());
        }
        return value;
    }

    public Path file() {
        return file;
    }

    private void failed(Stamp failed, String message) {
        if (!failed.equals(lastFailure)) {
            LOGGER.error("{}; keeping the last good map ({} entries) until the file is fixed", message, entries.applyAsInt(value));
        }
        lastFailure = failed;
    }

    /** What tells one version of the file from another, its permissions included. */
    private record Stamp(long modifiedNanos, long size, Object fileKey, String permissions) {
        static final Stamp GONE = new Stamp(-1, -1, null, "");

        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String permissions = file.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) : "";
            return new Stamp(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), attributes.size(), attributes.fileKey(),
                    permissions);
        }
    }
}
