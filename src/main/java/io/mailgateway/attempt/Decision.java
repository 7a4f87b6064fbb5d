package io.mailgateway.attempt;

import io.mailgateway.result.DeliveryResult;

/** What to publish after an attempt: a result, and a retry when the request is not done yet. */
public record Decision(DeliveryResult result, RetryRecord retry) {

    public boolean retrying() {
        return retry != null;
    }
}
