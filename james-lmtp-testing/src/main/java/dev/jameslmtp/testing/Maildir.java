package dev.jameslmtp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reading the messages a store saved in a Maildir, in the order they were delivered. */
final class Maildir {

    private static final Pattern MAILDIR_NAME = Pattern.compile("^(\\d+)\\.M(\\d+)P");

    private Maildir() {
    }

    /** The messages in {@code maildir}'s {@code new} and {@code cur}, oldest delivery first. */
    static List<byte[]> messages(Path maildir) {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(Files::isRegularFile).forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        files.sort(Comparator.comparing(Maildir::deliveryTime).thenComparing(p -> p.getFileName().toString()));
        List<byte[]> messages = new ArrayList<>();
        for (Path file : files) {
            try {
                messages.add(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return messages;
    }

    /** Seconds and microseconds from a Maildir name {@code <secs>.M<usecs>P<pid>...}, else the mtime. */
    private static long deliveryTime(Path file) {
        String name = file.getFileName().toString();
        Matcher m = MAILDIR_NAME.matcher(name);
        if (m.find()) {
            return Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
        }
        try {
            return Files.getLastModifiedTime(file).toMillis() * 1000L;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
