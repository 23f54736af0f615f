/**
 * The stores' health in James's own health checks: each LmtpDelivery's destinations checked
 * (connect, greeting, LHLO, STARTTLS and AUTH as configured; no mail) on threads of their own,
 * cached, and reported by one James {@code HealthCheck} ({@link dev.jameslmtp.mailet.health.LmtpStoresHealthCheck})
 * and one webadmin route ({@link dev.jameslmtp.mailet.health.LmtpStoresRoutes}). Uses the client,
 * the configuration and James's health-check and webadmin APIs; nothing of the delivery path.
 */
package dev.jameslmtp.mailet.health;
