/**
 * The main job: an embedded James delivering over LMTP to an embedded store, with the outcome of
 * each recipient read back; and the embedded-James configuration the project's tests share.
 */
package dev.jameslmtp.demo;
