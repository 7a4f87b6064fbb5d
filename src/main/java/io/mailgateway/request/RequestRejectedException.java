package io.mailgateway.request;

import java.util.Map;

/** Signals that a mail request cannot be accepted, with a category and a detail naming the field and the reason. */
public class RequestRejectedException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid-request";
    public static final String TOO_LARGE = "too-large";

    private static final long serialVersionUID = 1L;

    private final String category;
    private final String detail;
    private final String requestId;
    private final Map<String, String> tags;

    public RequestRejectedException(String category, String detail, String requestId, Map<String, String> tags) {
        this(category, detail, requestId, tags, null);
    }

    public RequestRejectedException(String category, String detail, String requestId, Map<String, String> tags,
            Throwable cause) {
        super(category + ": " + detail, cause);
        this.category = category;
        this.detail = detail;
        this.requestId = requestId;
        this.tags = tags == null ? Map.of() : tags;
    }

    public String category() {
        return category;
    }

    public String detail() {
        return detail;
    }

    /** The body's id when it was a valid id, so the rejection can be reported under it; otherwise null. */
    public String requestId() {
        return requestId;
    }

    /** The body's tags when they were a valid string map, so the rejection can echo them; otherwise empty. */
    public Map<String, String> tags() {
        return tags;
    }
}
