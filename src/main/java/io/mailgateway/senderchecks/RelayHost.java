package io.mailgateway.senderchecks;

import java.net.InetAddress;
import java.util.List;

/** A host the gateway submits mail to, with the addresses its name resolves to. */
public record RelayHost(String name, List<InetAddress> addresses) {

    public RelayHost {
        addresses = List.copyOf(addresses);
    }

    public boolean onThisMachine() {
        return addresses.stream().anyMatch(address -> address.isLoopbackAddress() || address.isAnyLocalAddress());
    }
}
