package dev.jameslmtp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.jameslmtp.testing.DovecotLmtpServer;

/**
 * What Dovecot stored, read from the Maildirs ({@code new} and {@code cur}; {@code tmp} holds
 * saves a kill cut short, which no reader ever sees): for each mail number and user, the save
 * time of each copy, in microseconds since the epoch, from the Maildir file name
 * ({@code <seconds>.M<microseconds>P<pid>...}). Files already read are remembered by path, so a
 * scan reads only new ones. (Dovecot links one file into each recipient's Maildir under the same
 * name when it saves a message for several recipients at once.) The James node that sent a copy
 * is the name Dovecot writes in its own {@code Received} header, the first one: the node's LHLO
 * name ({@link SoakJames#lhloName}), of which the first label is kept ({@code james-a}).
 */
final class SoakStore {

    private static final Pattern MAILDIR_NAME = Pattern.compile("^(\\d+)\\.M(\\d+)P");
    private static final Pattern RECEIVED_FROM = Pattern.compile("^Received: from ([^.\\s]+)", Pattern.MULTILINE);
    static final String UNKNOWN_NODE = "?";
    private static final int HEADER_BYTES = 4096;

    /** One stored copy: the mail's number, the user whose Maildir holds it, when it was saved, the node that sent it. */
    record Copy(int mail, String user, long savedMicros, String node) {
    }

    private final DovecotLmtpServer dovecot;
    private final List<String> users;
    private final Map<Path, Copy> seen = new HashMap<>();
    private int foreign;

    SoakStore(DovecotLmtpServer dovecot, List<String> users) {
        this.dovecot = dovecot;
        this.users = List.copyOf(users);
    }

    /** Every copy stored so far. */
    synchronized List<Copy> scan() {
        for (String user : users) {
            for (String sub : List.of("new", "cur")) {
                Path dir = dovecot.maildir(user).resolve(sub);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        if (!seen.containsKey(file)) {
                            read(user, file);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + dir, e);
                }
            }
        }
        return List.copyOf(seen.values());
    }

    /** Stored files that are no soak mail (none expected). */
    synchronized int foreign() {
        return foreign;
    }

    private void read(String user, Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEADER_BYTES);
        } catch (NoSuchFileException e) {
            return; // moved from new to cur meanwhile: found in cur at the next scan
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String headers = end < 0 ? text : text.substring(0, end);
        int mail = SoakMail.numberInMessageId(headers);
        if (mail < 0) {
            foreign++;
            seen.put(file, new Copy(-1, user, 0, UNKNOWN_NODE));
            return;
        }
        Matcher received = RECEIVED_FROM.matcher(headers);
        seen.put(file, new Copy(mail, user, savedMicros(file), received.find() ? received.group(1) : UNKNOWN_NODE));
    }

    private static long savedMicros(Path file) {
        Matcher m = MAILDIR_NAME.matcher(file.getFileName().toString());
        if (m.find()) {
            return Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
        }
        try {
            return Files.getLastModifiedTime(file).toMillis() * 1000L;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The copies of each mail for each user: key {@code <mail> <user>}. */
    static Map<String, List<Copy>> byMailAndUser(List<Copy> copies) {
        Map<String, List<Copy>> map = new HashMap<>();
        for (Copy copy : copies) {
            if (copy.mail() >= 0) {
                map.computeIfAbsent(copy.mail() + " " + copy.user(), k -> new ArrayList<>()).add(copy);
            }
        }
        return map;
    }
}
