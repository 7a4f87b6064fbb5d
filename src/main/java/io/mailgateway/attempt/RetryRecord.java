package io.mailgateway.attempt;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A deferred request on the retry topic: the original request as the producer sent it, what earlier attempts
 * achieved, and when to try again. Only the gateway writes this topic.
 *
 * @param notBefore ISO-8601 instant of the next attempt
 */
public record RetryRecord(String id, JsonNode request, RetryState state, String notBefore) {
}
