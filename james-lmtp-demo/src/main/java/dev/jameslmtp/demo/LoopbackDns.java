package dev.jameslmtp.demo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InetAddresses;

/**
 * The DNS of every embedded James of the project (the demo, the integration and extension tests):
 * IP literals, {@code localhost} and the machine's own name only, never a network lookup. LMTP
 * has no MX lookups, so there are no MX or TXT records; James's SMTP server reads
 * {@code authorizedAddresses} through {@link #getByName}, hence the IP literals. Nothing here can
 * hang on a resolver that is absent.
 */
public final class LoopbackDns implements DNSService {

    private final Optional<InetAddress> machine = machine();

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
        if (machine.isPresent() && machine.get().getHostName().equalsIgnoreCase(host)) {
            return machine.get();
        }
        throw new UnknownHostException(host + " (an embedded James resolves IP literals, localhost and this machine's name only)");
    }

    /** This machine's address when its own name resolves (as James's in-memory DNS answers), else the loopback address. */
    @Override
    public InetAddress getLocalHost() {
        return machine.orElse(InetAddress.getLoopbackAddress());
    }

    @Override
    public String getHostName(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "localhost";
        }
        return machine.filter(address::equals).map(InetAddress::getHostName).orElse(address.getHostAddress());
    }

    private static Optional<InetAddress> machine() {
        try {
            return Optional.of(InetAddress.getLocalHost());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
