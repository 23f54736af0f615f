package dev.jameslmtp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Resolves the two meanings of {@code -d} before picocli sees the arguments.
 *
 * <p>{@code -d unix:/path} names the destination, as in Postfix's {@code lmtp}. The tutorial the
 * command follows also writes {@code lmtp -d -f user@example.com -t ...}, where {@code -d} means
 * "debug". So a {@code -d} followed by another option (anything starting with {@code -} other
 * than a lone {@code -}) or by nothing becomes {@code --debug}; any other {@code -d} keeps its
 * argument. The values of options that take one are skipped, so {@code -f -d} is not rewritten;
 * nothing after {@code --} is touched.
 */
final class DebugSwitch {

    static final String DEBUG_OPTION = "--debug";

    /** Options whose next argument is their value (when written without '=' or an attached value). */
    private static final Set<String> TAKES_VALUE = Set.of(
            "-f", "--from", "-t", "--to", "-s", "--server", "-p", "--port", "-l", "--lhlo",
            "-C", "--config", "--destination", "--timeout");

    private DebugSwitch() {
    }

    static String[] rewrite(String... args) {
        List<String> out = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                for (int j = i; j < args.length; j++) {
                    out.add(args[j]);
                }
                break;
            }
            if (arg.equals("-d")) {
                boolean last = i + 1 == args.length;
                if (last || looksLikeOption(args[i + 1])) {
                    out.add(DEBUG_OPTION);
                } else {
                    out.add(arg);
                    out.add(args[++i]);
                }
            } else if (TAKES_VALUE.contains(arg) && i + 1 < args.length) {
                out.add(arg);
                out.add(args[++i]);
            } else {
                out.add(arg);
            }
        }
        return out.toArray(String[]::new);
    }

    private static boolean looksLikeOption(String arg) {
        return arg.startsWith("-") && arg.length() > 1;
    }
}
