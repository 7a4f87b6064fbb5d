package io.mailgateway.request;

/** Size and count limits a mail request must stay within. */
public record RequestLimits(int maxRequestBytes, int maxAttachmentBytes, int maxAttachments, int maxRecipients,
        int maxSubjectLength) {

    public RequestLimits {
        requirePositive(maxRequestBytes, "maxRequestBytes");
        requirePositive(maxAttachmentBytes, "maxAttachmentBytes");
        if (maxAttachments < 0) {
            // zero is allowed: a gateway that sends no attachments at all
            throw new IllegalArgumentException("maxAttachments must not be negative, was " + maxAttachments);
        }
        requirePositive(maxRecipients, "maxRecipients");
        requirePositive(maxSubjectLength, "maxSubjectLength");
    }

    /** 10 MiB per request, 5 MiB per decoded attachment, 10 attachments, 50 recipients, 998 subject characters. */
    public static RequestLimits defaults() {
        return new RequestLimits(10 * 1024 * 1024, 5 * 1024 * 1024, 10, 50, 998);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
