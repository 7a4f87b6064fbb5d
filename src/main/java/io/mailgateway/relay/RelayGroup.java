package io.mailgateway.relay;

import java.util.List;

import jakarta.mail.internet.InternetAddress;

/** Recipients of one message that go to the same relays: the first reachable one of {@code relays} takes them. */
public record RelayGroup(List<String> relays, List<InternetAddress> envelope) {

    public RelayGroup {
        relays = List.copyOf(relays);
        envelope = List.copyOf(envelope);
    }
}
