/**
 * Which destination serves a recipient: one destination (list) for all, or a Postfix-style
 * transport map by domain that follows its file ({@link dev.jameslmtp.conf.routing.Routing},
 * {@link dev.jameslmtp.conf.routing.TransportMap}), shared by the mailet and the SMTP hook.
 */
package dev.jameslmtp.conf.routing;
