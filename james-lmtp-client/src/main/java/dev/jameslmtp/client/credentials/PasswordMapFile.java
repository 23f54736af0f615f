package dev.jameslmtp.client.credentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.jameslmtp.client.Destination;
import dev.jameslmtp.client.FollowedFile;

/**
 * A password map file, read at start and read again when it changes, without a restart and
 * without Postfix's {@code postmap}: before each lookup the file's modification time, size and
 * identity (inode) are compared with those of the last reading, so both an edit in place and a
 * replacement by rename (as editors and configuration managers do) are seen by the next connection.
 *
 * <p>A reading that fails (the file vanished, became unreadable or malformed) keeps the last good
 * map and logs one error naming the file and the line; the next change is tried again. A file that
 * group or others may write is refused (at start: {@link #open} fails; later, including after a
 * chmod alone: the last good map is kept, with an error); one they may read gets a warning naming
 * the file. No message shows the file's content.
 * Thread-safe.
 *
 * <p>DIAGNOSTICS: {@link #open} throws {@link PasswordMapException} when the file cannot be read
 * or parsed at start, or group or others may write it: the caller (the mailet's {@code init()},
 * the command) fails with it.
 */
public final class PasswordMapFile implements CredentialSource {

    private static final Logger LOGGER = LoggerFactory.getLogger(PasswordMapFile.class);

    private final FollowedFile<PasswordMap> file;
    private final Supplier<String> localHostName;

    private PasswordMapFile(FollowedFile<PasswordMap> file, Supplier<String> localHostName) {
        this.file = file;
        this.localHostName = localHostName;
    }

    /**
     * Reads {@code file}; {@code localHostName} is the key tried first for {@code unix:} destinations.
     *
     * @throws PasswordMapException naming the file (and the line) when it cannot be used
     */
    public static PasswordMapFile open(Path file, Supplier<String> localHostName) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(localHostName, "localHostName");
        try {
            return new PasswordMapFile(FollowedFile.open("password map", file, PasswordMapFile::read, PasswordMapException.class,
                    PasswordMap::size), localHostName);
        } catch (IOException e) {
            throw new PasswordMapException("password map " + file + ": " + reason(e));
        }
    }

    @Override
    public Optional<Credentials> forDestination(Destination destination) {
        return current().lookup(PasswordMapKeys.of(destination, localHostName.get()));
    }

    /** The map as the file says now, or the last good one when the file is broken. */
    public PasswordMap current() {
        return file.current();
    }

    public Path file() {
        return file.file();
    }

    @Override
    public String toString() {
        return "PasswordMapFile[" + file.file() + "]";
    }

    /** Checks the permissions, then parses: a map others may write is refused before it is read. */
    private static PasswordMap read(Path file) {
        try {
            checkPermissions(file);
            return PasswordMap.parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new PasswordMapException("password map " + file + ": " + reason(e));
        }
    }

    /**
     * Refuses a map that group or others may write (whoever can write it chooses where the
     * passwords go, or reads them back through a map of their own); warns when they may read it.
     */
    private static void checkPermissions(Path file) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        }
        String mode = PosixFilePermissions.toString(permissions);
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new PasswordMapException("password map " + file + " may be written by group or others (mode " + mode
                    + "); make it writable by its owner only (chmod 600)");
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            LOGGER.warn("password map {} may be read by group or others (mode {}); make it readable by its owner only (chmod 600)",
                    file, mode);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.charset.MalformedInputException) {
            return "not UTF-8 text";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
