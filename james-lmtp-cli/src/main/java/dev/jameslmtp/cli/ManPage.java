package dev.jameslmtp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the manual page {@code lmtp(1)} (troff, {@code man} macros) from the command's own
 * model ({@link CommandModel}): the header, synopsis, description, every option with its help and the footer
 * (destinations, configuration file, authentication, TLS, exit status...), so that the page and
 * {@code lmtp --help} cannot disagree. Run by the build ({@code target/man/lmtp.1}).
 *
 * <p>Usage: {@code java -cp lmtp.jar dev.jameslmtp.cli.ManPage <file>}.
 */
public final class ManPage {

    private ManPage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManPage <output file>");
            System.exit(64);
        }
        Path file = Path.of(args[0]);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, page(CommandModel.spec()), StandardCharsets.UTF_8);
    }

    static String page(CommandSpec spec) {
        StringBuilder man = new StringBuilder();
        String version = VersionProvider.version();
        man.append(".TH LMTP 1 \"").append(LocalDate.now()).append("\" \"james-lmtp ").append(escape(version))
                .append("\" \"User Commands\"\n");
        man.append(".SH NAME\nlmtp \\- ").append(escape(String.join(" ", spec.usageMessage().header()))).append('\n');
        man.append(".SH SYNOPSIS\n.nf\n");
        for (String line : String.join("", spec.usageMessage().customSynopsis()).split("\n")) {
            man.append(escape(line.strip())).append('\n');
        }
        man.append(".fi\n.SH DESCRIPTION\n");
        block(man, List.of(spec.usageMessage().description()));
        man.append(".SH OPTIONS\n");
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            man.append(".TP\n\\fB").append(escape(String.join(", ", option.names()))).append("\\fR");
            if (option.arity().max() > 0) {
                man.append(" \\fI").append(escape(option.paramLabel())).append("\\fR");
            }
            man.append('\n').append(escape(String.join(" ", option.description()))).append('\n');
        }
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            man.append(".TP\n\\fI").append(escape(positional.paramLabel())).append("\\fR\n")
                    .append(escape(String.join(" ", positional.description()))).append('\n');
        }
        man.append(".SH NOTES\n");
        block(man, List.of(spec.usageMessage().footer()));
        man.append(".SH SEE ALSO\nPostfix \\fBlmtp\\fR(8), RFC 2033, RFC 3461\n");
        return man.toString();
    }

    /** Help lines as they are laid out in {@code --help}: kept line by line, blank lines as paragraph breaks. */
    private static void block(StringBuilder man, List<String> lines) {
        man.append(".nf\n");
        for (String line : lines) {
            String text = line.replace("%n", "");
            man.append(text.isBlank() ? "" : escape(text)).append('\n');
        }
        man.append(".fi\n");
    }

    /** Backslashes doubled, hyphens as minus signs, and a line's leading {@code .} or {@code '} made literal. */
    static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        if (escaped.startsWith(".") || escaped.startsWith("'")) {
            escaped = "\\&" + escaped;
        }
        return escaped;
    }
}
