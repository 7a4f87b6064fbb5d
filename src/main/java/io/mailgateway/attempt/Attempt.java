package io.mailgateway.attempt;

import java.util.List;
import java.util.Set;

import io.mailgateway.relay.Submission;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.MailRequest;

/**
 * One attempt at delivering a request, carried through the routes as the one exchange property {@value #PROPERTY}
 * and filled in step by step, from the record it came from to the outcome that is published.
 *
 * <p>The state an attempt carries ({@link RetryState}, and its outcome {@link Decision} with a {@link RetryRecord})
 * lives in this package rather than in {@code retry}: the retry planner and the idempotency services take an
 * attempt, so an attempt holding their types would tie those packages in a circle.
 */
public final class Attempt implements Submission {

    /** The exchange property the routes carry the attempt in. */
    public static final String PROPERTY = "attempt";

    private final String recordKey;
    private final String fallbackId;
    private final byte[] requestJson;
    private RetryState retryState;
    private MailRequest request;
    private boolean bulk;
    private Set<String> suppressedRecipients = Set.of();
    private RenderPermits.Turn renderTurn;
    private Decision outcome;

    /**
     * @param recordKey   the Kafka key of the consumed record, kept for the dead-letter topic; null for a retry
     * @param fallbackId  what a result is keyed by when the request has no readable id
     * @param requestJson the request as its producer sent it; a retry carries it on
     * @param retryState  what earlier attempts left behind, with when the gateway first consumed the request
     */
    public Attempt(String recordKey, String fallbackId, byte[] requestJson, RetryState retryState) {
        this.recordKey = recordKey;
        this.fallbackId = fallbackId;
        this.requestJson = requestJson;
        this.retryState = retryState;
    }

    /** The first attempt at a record of the request topic; a record without a key is known by its position. */
    public static Attempt ofRecord(String key, String topic, int partition, long offset, byte[] requestJson,
            String receivedAt) {
        String fallbackId = key == null || key.isEmpty() ? topic + "-" + partition + "-" + offset : key;
        return new Attempt(key, fallbackId, requestJson, RetryState.first(receivedAt));
    }

    /**
     * An outcome that Kafka did not take when its attempt ended, published again: the attempt itself is over, and
     * only its outcome is kept, not the request it was about.
     */
    public static Attempt ofHeldOutcome(Decision outcome) {
        Attempt held = new Attempt(null, outcome.result().id(), null, null);
        held.setOutcome(outcome);
        return held;
    }

    public String recordKey() {
        return recordKey;
    }

    public String fallbackId() {
        return fallbackId;
    }

    public byte[] requestJson() {
        return requestJson;
    }

    /** When the gateway first consumed the request; its age decides expiry. */
    public String receivedAt() {
        return retryState == null ? null : retryState.receivedAt();
    }

    public RetryState retryState() {
        return retryState;
    }

    /** The recipients still to be sent to, or null on the first attempt (all recipients). */
    @Override
    public List<String> pending() {
        return retryState == null ? null : retryState.pending();
    }

    public void setRetryState(RetryState retryState) {
        this.retryState = retryState;
    }

    /** The request as parsed, then as enriched; null while (or when) the record could not be parsed. */
    public MailRequest request() {
        return request;
    }

    /** The id of the request as parsed, or null while (or when) the record could not be parsed. */
    @Override
    public String requestId() {
        return request == null ? null : request.id();
    }

    /** The tenant the request names in {@code tags.tenant}, or null: it picks relays, limits and defaults. */
    @Override
    public String tenant() {
        return request == null ? null : request.tags().get("tenant");
    }

    public void setRequest(MailRequest request) {
        this.request = request;
    }

    /** Whether the request is bulk mail of its tenant, which an unsubscribe entry suppresses. */
    public boolean bulk() {
        return bulk;
    }

    public void setBulk(boolean bulk) {
        this.bulk = bulk;
    }

    /** The normalised addresses of the request's recipients that are on the suppression list now. */
    public Set<String> suppressedRecipients() {
        return suppressedRecipients;
    }

    public void setSuppressedRecipients(Set<String> suppressedRecipients) {
        this.suppressedRecipients = suppressedRecipients == null ? Set.of() : Set.copyOf(suppressedRecipients);
    }

    /** The turn to render a large mail, held until the attempt is finished; null before rendering. */
    public RenderPermits.Turn renderTurn() {
        return renderTurn;
    }

    public void setRenderTurn(RenderPermits.Turn renderTurn) {
        this.renderTurn = renderTurn;
    }

    /** What to publish for this attempt; null until it is decided. */
    public Decision outcome() {
        return outcome;
    }

    public void setOutcome(Decision outcome) {
        this.outcome = outcome;
    }
}
