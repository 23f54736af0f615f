package dev.jameslmtp.demo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InetAddresses;

/**
 * The demo's DNS: IP literals and {@code localhost} only, never a network lookup. The demo
 * needs no MX records (LMTP has no MX lookups) and must not hang on a resolver that is absent.
 */
final class LoopbackDns implements DNSService {

    @Override
    public Collection<String> findMXRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        return List.of(getByName(host));
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        if ("localhost".equalsIgnoreCase(host)) {
            return InetAddress.getLoopbackAddress();
        }
        throw new UnknownHostException(host + " (the demo resolves IP literals and localhost only)");
    }

    @Override
    public InetAddress getLocalHost() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress address) {
        return address.isLoopbackAddress() ? "localhost" : address.getHostAddress();
    }
}
