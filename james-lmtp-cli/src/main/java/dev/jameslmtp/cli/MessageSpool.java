package dev.jameslmtp.cli;

import dev.jameslmtp.client.Content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The message read from standard input into a private temporary file (mode 0600 on POSIX), so
 * that the client can read it twice (once to measure it and look for 8-bit bytes, once to send)
 * without ever holding it whole in memory. The bytes are copied untouched. {@link #close()}
 * deletes the file; {@link java.io.File#deleteOnExit()} covers a JVM stopped by a signal.
 *
 * <p>DIAGNOSTICS: a read error on the input, or an empty input, is
 * {@link ExitStatus#NOINPUT}; a failure to create or write the temporary file is
 * {@link ExitStatus#IOERR}.
 */
final class MessageSpool implements AutoCloseable {

    private static final int BUFFER = 64 * 1024;

    private final Path file;
    private final long size;

    private MessageSpool(Path file, long size) {
        this.file = file;
        this.size = size;
    }

    static MessageSpool of(InputStream in) throws CommandException {
        Path file;
        try {
            file = createTempFile();
            file.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new CommandException(ExitStatus.IOERR, "cannot create a temporary file for the message: " + e.getMessage());
        }
        MessageSpool spool = null;
        try {
            spool = new MessageSpool(file, copy(in, file));
            if (spool.size == 0) {
                throw new CommandException(ExitStatus.NOINPUT, "standard input is empty: there is no message to deliver");
            }
            return spool;
        } finally {
            if (spool == null || spool.size == 0) {
                delete(file);
            }
        }
    }

    /**
     * A new file in {@code java.io.tmpdir}, {@code lmtp-NUMBER.msg}, mode 0600 on POSIX: what
     * {@link Files#createTempFile} makes, with the number from {@link ThreadLocalRandom} rather
     * than {@link java.security.SecureRandom}, whose set-up (the security providers) costs tens of
     * milliseconds of the command's start-up. The file is created exclusively ({@code O_EXCL}): a
     * name someone else took is skipped, and a link planted there is never followed.
     */
    static Path createTempFile() throws IOException {
        Path directory = Path.of(System.getProperty("java.io.tmpdir"));
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        while (true) {
            Path file = directory.resolve("lmtp-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + ".msg");
            try {
                return posix ? Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))) : Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                // taken: another number
            }
        }
    }

    private static long copy(InputStream in, Path file) throws CommandException {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new CommandException(ExitStatus.NOINPUT, "cannot read the message from standard input: " + e.getMessage());
                }
                if (n < 0) {
                    return total;
                }
                out.write(buffer, 0, n);
                total += n;
            }
        } catch (IOException e) {
            throw new CommandException(ExitStatus.IOERR, "cannot write the message to " + file + ": " + e.getMessage());
        }
    }

    Content content() {
        return Content.of(file);
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        delete(file);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // deleteOnExit will try again
        }
    }
}
