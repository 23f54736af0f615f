package dev.jameslmtp.conf;

import java.util.Optional;

/** A configuration parameter: its name as configured, its default, and the default as the documentation shows it. */
public interface DocumentedParameter {

    /** The name as written in the configuration; case-sensitive. */
    String key();

    /** The default in the parameter's syntax; empty when there is none or it is computed. */
    Optional<String> defaultValue();

    /** The default as the documentation shows it. */
    String documentedDefault();
}
