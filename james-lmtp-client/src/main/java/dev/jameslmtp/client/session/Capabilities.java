package dev.jameslmtp.client.session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import dev.jameslmtp.client.wire.Reply;

/**
 * The service extensions a server listed in its reply to LHLO (the first line, the server's
 * name, is not a capability). Keywords are case-insensitive; each maps to its parameters.
 */
public final class Capabilities {

    public static final Capabilities NONE = new Capabilities(Map.of());

    private final Map<String, List<String>> keywords;

    private Capabilities(Map<String, List<String>> keywords) {
        this.keywords = keywords;
    }

    /** Parses an LHLO reply. */
    public static Capabilities from(Reply lhloReply) {
        Map<String, List<String>> keywords = new LinkedHashMap<>();
        List<String> lines = lhloReply.lines();
        for (int i = 1; i < lines.size(); i++) {
            List<String> words = words(lines.get(i));
            if (words.isEmpty()) {
                continue;
            }
            String keyword = words.get(0).toUpperCase(Locale.ROOT);
            List<String> params = words.subList(1, words.size());
            if (keyword.equals("AUTH") && keywords.containsKey("AUTH")) {
                // "AUTH PLAIN" and the old "AUTH=PLAIN" may both appear: keep the union.
                java.util.LinkedHashSet<String> union = new java.util.LinkedHashSet<>(keywords.get("AUTH"));
                union.addAll(params);
                params = List.copyOf(union);
            }
            keywords.put(keyword, List.copyOf(params));
        }
        return new Capabilities(Map.copyOf(keywords));
    }

    /** The words of a capability line, split at spaces and '=' (as {@code "AUTH=PLAIN LOGIN"}); no regex. */
    private static List<String> words(String line) {
        List<String> words = new java.util.ArrayList<>(4);
        int n = line.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSeparator(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSeparator(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(line.substring(start, i));
            }
        }
        return words;
    }

    /** Space, '=' and the white space that {@link String#strip()} would have removed at the ends. */
    private static boolean isSeparator(char c) {
        return c == ' ' || c == '=' || Character.isWhitespace(c);
    }

    public boolean has(String keyword) {
        return keywords.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    public List<String> parameters(String keyword) {
        return keywords.getOrDefault(keyword.toUpperCase(Locale.ROOT), List.of());
    }

    public Set<String> keywords() {
        return keywords.keySet();
    }

    public boolean pipelining() {
        return has("PIPELINING");
    }

    public boolean eightBitMime() {
        return has("8BITMIME");
    }

    public boolean smtpUtf8() {
        return has("SMTPUTF8");
    }

    /** RFC 3030 CHUNKING: the message may go in {@code BDAT} chunks instead of DATA. */
    public boolean chunking() {
        return has("CHUNKING");
    }

    public boolean dsn() {
        return has("DSN");
    }

    /** Whether XCLIENT is offered with {@code attribute} among its parameters ({@code XCLIENT ADDR PORT HELO ...}). */
    public boolean xclientAttribute(String attribute) {
        return parameters("XCLIENT").stream().anyMatch(attribute::equalsIgnoreCase);
    }

    public boolean enhancedStatusCodes() {
        return has("ENHANCEDSTATUSCODES");
    }

    /** True when SIZE is offered, with or without a limit. */
    public boolean size() {
        return has("SIZE");
    }

    /** The advertised SIZE limit in bytes, when there is one (SIZE 0 or a bare SIZE means none). */
    public OptionalLong sizeLimit() {
        List<String> params = parameters("SIZE");
        if (params.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long limit = Long.parseLong(params.get(0));
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** SASL mechanisms offered with AUTH, upper case. */
    public List<String> authMechanisms() {
        return parameters("AUTH").stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
    }

    public Optional<String> first(String keyword) {
        return parameters(keyword).stream().findFirst();
    }

    @Override
    public String toString() {
        return String.join(" ", keywords.keySet());
    }
}
