package io.mailgateway.attempt;

import java.util.Set;

import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;

/**
 * The route steps that fill in an attempt or hand on a part of it, as plain calls taking the attempt.
 *
 * <p>Written as property paths in the routes ({@code ${exchangeProperty.attempt.request}}, or a {@code script}
 * calling a setter), every step would copy the exchange and find the method by reflection, once per path segment
 * and message: a large part of the gateway's CPU per message, for what is a field access.
 */
public final class AttemptSteps {

    /** The request as its producer sent it, to be parsed. */
    public byte[] requestJson(Attempt attempt) {
        return attempt.requestJson();
    }

    /** The attempt sends, and reports, this request from now on; the body stays the request. */
    public MailRequest setRequest(Attempt attempt, MailRequest request) {
        attempt.setRequest(request);
        return request;
    }

    /** The request as parsed, then as enriched. */
    public MailRequest request(Attempt attempt) {
        return attempt.request();
    }

    /** The request's id, by which its completed result is found. */
    public String requestId(Attempt attempt) {
        return attempt.requestId();
    }

    /** Records whether the request is bulk mail of its tenant; the body stays the request. */
    public MailRequest setBulk(Attempt attempt, boolean bulk) {
        attempt.setBulk(bulk);
        return attempt.request();
    }

    /** Records the recipients on the suppression list now; the body becomes the request again. */
    public MailRequest setSuppressedRecipients(Attempt attempt, Set<String> suppressed) {
        attempt.setSuppressedRecipients(suppressed);
        return attempt.request();
    }

    /** Records what to publish for the attempt; the body stays the outcome. */
    public Decision setOutcome(Attempt attempt, Decision outcome) {
        attempt.setOutcome(outcome);
        return outcome;
    }

    /** The delivery result the attempt published. */
    public DeliveryResult result(Attempt attempt) {
        return attempt.outcome().result();
    }

    /** Records the turn to render a large mail, held until the attempt is finished; the body becomes the request. */
    public MailRequest setRenderTurn(Attempt attempt, RenderPermits.Turn turn) {
        attempt.setRenderTurn(turn);
        return attempt.request();
    }
}
