package io.mailgateway.request;

import java.util.Map;

/** Signals that a record value is not a JSON object at all, so there is no id to answer to and the record needs a dead-letter topic. */
public class NotJsonException extends RequestRejectedException {

    private static final long serialVersionUID = 1L;

    public NotJsonException(String detail) {
        this(detail, null);
    }

    public NotJsonException(String detail, Throwable cause) {
        super(INVALID_REQUEST, detail, null, Map.of(), cause);
    }
}
