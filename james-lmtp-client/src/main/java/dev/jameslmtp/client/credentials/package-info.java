/**
 * Who a session authenticates as: credentials and secrets that never print, and where they come
 * from: a Postfix {@code sasl_passwd}-style password map ({@link dev.jameslmtp.client.credentials.PasswordMap},
 * its lookup keys) that follows its file ({@link dev.jameslmtp.client.credentials.PasswordMapFile}).
 */
package dev.jameslmtp.client.credentials;
