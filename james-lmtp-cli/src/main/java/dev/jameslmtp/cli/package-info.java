/**
 * The {@code lmtp} command: a message on standard input delivered to an LMTP destination, one line
 * per recipient, a sysexits status; its options, configuration file and manual page.
 */
package dev.jameslmtp.cli;
