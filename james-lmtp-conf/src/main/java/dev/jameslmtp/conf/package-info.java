/**
 * The operator's configuration, parsed once into immutable values: every mailet parameter and its
 * default ({@link dev.jameslmtp.conf.Parameter}), routing and the transport map, the retry schedule, the
 * TLS and SASL settings shared with the SMTP hook, and the Guice module. A bad value fails with the
 * parameter's name, the value (never a secret) and the accepted form.
 */
package dev.jameslmtp.conf;
