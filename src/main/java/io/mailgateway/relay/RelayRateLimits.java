package io.mailgateway.relay;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds each relay with a {@code rateLimit} in the relays file to it across all gateway instances. A submission that
 * gets no permit for its relay within the wait is deferred; it does not fail over to another relay, since failover
 * is for a relay that cannot be reached, and a limit is the relay operator's word on how much it takes.
 */
public final class RelayRateLimits {

    private final Map<String, SharedRateLimit> byRelay = new HashMap<>();

    /** @param longestWait how long a submission may wait for a permit before its recipients are deferred */
    public RelayRateLimits(Collection<Relay> relays, Duration longestWait) {
        for (Relay relay : relays) {
            if (relay.rateLimit() != null) {
                byRelay.put(relay.name(), new SharedRateLimit(relay.rateLimit(), longestWait));
            }
        }
    }

    /** No relay is limited. */
    public static RelayRateLimits none() {
        return new RelayRateLimits(List.of(), Duration.ZERO);
    }

    /** Returns once the relay may take one more submission; throws when no permit came in time. */
    public void acquire(String relay) throws RelayRateLimitedException {
        SharedRateLimit limit = byRelay.get(relay);
        if (limit != null && !limit.acquire()) {
            throw new RelayRateLimitedException(relay, limit.limit(), limit.instances());
        }
    }

    /** The relays' limits, to be told how many instances share them. */
    public Collection<SharedRateLimit> limits() {
        return byRelay.values();
    }
}
