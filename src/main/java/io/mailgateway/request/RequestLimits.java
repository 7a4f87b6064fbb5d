package io.mailgateway.request;

/** Size and count limits a mail request must stay within. */
public record RequestLimits(int maxRequestBytes, int maxAttachmentBytes, int maxAttachments, int maxRecipients,
        int maxSubjectLength, JsonLimits json) {

    /** These limits with the default bounds on the JSON's shape. */
    public RequestLimits(int maxRequestBytes, int maxAttachmentBytes, int maxAttachments, int maxRecipients,
            int maxSubjectLength) {
        this(maxRequestBytes, maxAttachmentBytes, maxAttachments, maxRecipients, maxSubjectLength, JsonLimits.defaults());
    }

    public RequestLimits {
        requirePositive(maxRequestBytes, "maxRequestBytes");
        requirePositive(maxAttachmentBytes, "maxAttachmentBytes");
        if (maxAttachments < 0) {
            // zero is allowed: a gateway that sends no attachments at all
            throw new IllegalArgumentException("maxAttachments must not be negative, was " + maxAttachments);
        }
        requirePositive(maxRecipients, "maxRecipients");
        requirePositive(maxSubjectLength, "maxSubjectLength");
        if (json == null) {
            throw new IllegalArgumentException("json limits are required");
        }
    }

    /**
     * 10 MiB per request, 5 MiB per decoded attachment, 10 attachments, 50 recipients, 998 subject characters, and
     * {@link JsonLimits#defaults()}.
     */
    public static RequestLimits defaults() {
        return new RequestLimits(10 * 1024 * 1024, 5 * 1024 * 1024, 10, 50, 998);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
