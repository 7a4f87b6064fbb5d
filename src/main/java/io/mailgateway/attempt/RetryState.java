package io.mailgateway.attempt;

import java.util.List;

import io.mailgateway.result.DeliveryResult.Recipient;

/**
 * What earlier attempts of a request left behind: how many there were, which recipients are settled (accepted
 * or refused for good) and which are still pending.
 *
 * @param receivedAt           when the gateway first consumed the request; its age decides expiry
 * @param pending              addresses still to be sent to, or null on the first attempt (all recipients)
 * @param unknownOutcomeResent whether the message was already sent again after a relay left its outcome unknown
 */
public record RetryState(int attempts, String receivedAt, List<Recipient> settled, List<String> pending,
        boolean unknownOutcomeResent) {

    public RetryState {
        settled = settled == null ? List.of() : List.copyOf(settled);
        pending = pending == null ? null : List.copyOf(pending);
    }

    /** The state of a request consumed for the first time. */
    public static RetryState first(String receivedAt) {
        return new RetryState(0, receivedAt, List.of(), null, false);
    }
}
