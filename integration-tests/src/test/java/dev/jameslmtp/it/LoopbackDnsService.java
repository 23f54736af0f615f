package dev.jameslmtp.it;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.james.dnsservice.api.InMemoryDNSService;

import com.google.common.net.InetAddresses;

/**
 * James's in-memory DNS, plus IP literals: the SMTP server parses {@code authorizedAddresses}
 * (network and mask) through {@code DNSService.getByName}, which the plain in-memory service
 * answers only for the names registered in it. Nothing is ever looked up on the network.
 */
final class LoopbackDnsService extends InMemoryDNSService {

    LoopbackDnsService() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            registerRecord(local.getHostName(), local, local.getHostName());
        } catch (UnknownHostException e) {
            // the machine's own name does not resolve: DSNBounce then omits Reporting-MTA
        }
        registerRecord("localhost", InetAddress.getLoopbackAddress(), "localhost");
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        return super.getByName(host);
    }
}
