package io.mailgateway.result;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Delivery result v1, the record value on the results topic (see schemas/delivery-result-v1.schema.json). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "status", "terminal", "messageId", "attempt", "smtp", "recipients", "reason", "tags",
        "replay", "receivedAt", "completedAt"})
public record DeliveryResult(
        String id,
        Status status,
        boolean terminal,
        String messageId,
        Integer attempt,
        Smtp smtp,
        List<Recipient> recipients,
        Reason reason,
        Map<String, String> tags,
        Boolean replay,
        String receivedAt,
        String completedAt) {

    public enum Status { SENT, DEFERRED, FAILED, REJECTED, SUPPRESSED, EXPIRED }

    /**
     * Most bytes of UTF-8 kept of a free text echoed in a result (a reason's detail, a relay's reply); longer ones are
     * cut and end in "...". A relay or an exception could otherwise make a result larger than the results topic takes.
     */
    public static final int MAX_TEXT_BYTES = 1024;

    /** The relay's reply text is cut to {@link #MAX_TEXT_BYTES}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Smtp(int code, String enhancedStatus, String response) {
        public Smtp {
            response = bounded(response);
        }
    }

    /** The relay's reply text is cut to {@link #MAX_TEXT_BYTES}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recipient(String address, Status status, Integer code, String enhancedStatus, String response) {
        public Recipient {
            response = bounded(response);
        }
    }

    /** The detail is cut to {@link #MAX_TEXT_BYTES}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reason(String category, String detail) {
        public Reason {
            detail = bounded(detail);
        }
    }

    /** The text, or its start and "..." when it is longer than {@link #MAX_TEXT_BYTES} in UTF-8; never splits a character. */
    static String bounded(String text) {
        if (text == null || text.length() * 3L <= MAX_TEXT_BYTES) {
            return text;
        }
        int bytes = 0;
        int keep = 0;
        int cut = -1;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            i += Character.charCount(c);
            if (cut < 0 && bytes > MAX_TEXT_BYTES - 3) {
                cut = keep;
            }
            if (bytes > MAX_TEXT_BYTES) {
                return text.substring(0, cut) + "...";
            }
            keep = i;
        }
        return text;
    }
}
