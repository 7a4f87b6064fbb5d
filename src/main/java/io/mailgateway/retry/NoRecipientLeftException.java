package io.mailgateway.retry;

import io.mailgateway.attempt.RetryState;

/**
 * Every recipient of a request is settled before anything was sent (each one suppressed, or accepted or refused by
 * an earlier attempt), so there is nothing to submit; the request ends with the result its recipients add up to.
 */
public class NoRecipientLeftException extends RuntimeException {

    private final transient RetryState state;

    public NoRecipientLeftException(RetryState state) {
        // An outcome, not a fault: no stack trace to fill.
        super("no recipient left to send to", null, false, false);
        this.state = state;
    }

    /** The request's state with every recipient settled. */
    public RetryState state() {
        return state;
    }
}
