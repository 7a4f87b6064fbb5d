package io.mailgateway.events;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happened to a mail after its terminal result ("Delivery events v1", the value of a record on the events
 * topic, keyed by request id): a bounce, a delay, a complaint or an unsubscribe. Fields that do not apply are null
 * and left out of the JSON; times are ISO-8601 instants in UTC, as in delivery results.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryEvent(String id, Type event, String recipient, String messageId, Bounce bounce,
        Complaint complaint, Source source, Map<String, String> tags, String occurredAt, String receivedAt) {

    public enum Type { BOUNCED, DELAYED, COMPLAINED, UNSUBSCRIBED }

    /** A recipient's server refused the mail (hard: for good; soft: for now) or delayed it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Bounce(BounceType type, String enhancedStatus, String remoteMta, String diagnostic) {
    }

    public enum BounceType {
        @JsonProperty("hard") HARD,
        @JsonProperty("soft") SOFT
    }

    /** @param feedbackType the complaint report's Feedback-Type, such as abuse */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Complaint(String feedbackType) {
    }

    /** @param reportMessageId the Message-ID of the report the event was read from; null for an unsubscribe */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(SourceKind kind, String reportMessageId) {
    }

    public enum SourceKind {
        @JsonProperty("dsn") DSN,
        @JsonProperty("arf") ARF,
        @JsonProperty("unsubscribe") UNSUBSCRIBE,
        @JsonProperty("text") TEXT
    }
}
