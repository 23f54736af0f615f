/**
 * Connection reuse and failover: idle sessions cached by endpoint, TLS policy and SASL identity
 * ({@link dev.jameslmtp.client.pool.ConnectionPool}, as Postfix's connection cache), a transaction on a cached or
 * new connection ({@link dev.jameslmtp.client.pool.PooledDelivery}), and a destination list tried in order,
 * skipping servers that failed recently ({@link dev.jameslmtp.client.pool.FailoverDelivery}).
 */
package dev.jameslmtp.client.pool;
