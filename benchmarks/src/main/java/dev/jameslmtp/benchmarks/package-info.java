/**
 * The performance harness behind {@code scripts/benchmark}: the client against {@code smtp-source},
 * James with LmtpDelivery against the topology it replaces, heap and start-up measurements.
 */
package dev.jameslmtp.benchmarks;
