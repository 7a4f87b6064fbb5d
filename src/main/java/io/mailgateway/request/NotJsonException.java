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

    /**
     * A body the gateway would not read to the end because it is over one of the limits on its JSON's shape (depth,
     * counts, lengths): the raw record goes to the dead-letter topic like any unreadable one.
     */
    static NotJsonException overLimit(String detail) {
        return new NotJsonException(TOO_LARGE, detail, Map.of());
    }

    private NotJsonException(String category, String detail, Map<String, String> noTags) {
        super(category, detail, null, noTags, null);
    }
}
