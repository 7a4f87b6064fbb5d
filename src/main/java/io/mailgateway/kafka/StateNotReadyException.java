package io.mailgateway.kafka;

/**
 * A topic the gateway follows (completed requests, the suppression list) has not been read far enough yet; the record
 * is read again later.
 */
public class StateNotReadyException extends RuntimeException {

    public StateNotReadyException(String message) {
        super(message);
    }
}
