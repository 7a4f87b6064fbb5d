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

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Smtp(int code, String enhancedStatus, String response) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recipient(String address, Status status, Integer code, String enhancedStatus, String response) { }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reason(String category, String detail) { }
}
