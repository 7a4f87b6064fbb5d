package io.mailgateway.idempotency;

/** The index of completed requests has not caught up with its topic yet; the record is read again later. */
public class StateNotReadyException extends RuntimeException {

    public StateNotReadyException(String message) {
        super(message);
    }
}
