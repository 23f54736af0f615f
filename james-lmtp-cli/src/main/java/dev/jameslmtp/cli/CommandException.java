package dev.jameslmtp.cli;

/**
 * Ends the command before or instead of a delivery, with a {@link ExitStatus} and a message for
 * stderr. The message names the option, file line or input at fault; it never quotes a value
 * that could be a secret.
 */
final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    CommandException(int status, String message) {
        super(message);
        this.status = status;
    }

    static CommandException usage(String message) {
        return new CommandException(ExitStatus.USAGE, message);
    }

    int status() {
        return status;
    }
}
