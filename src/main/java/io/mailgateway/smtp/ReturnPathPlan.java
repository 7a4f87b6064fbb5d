package io.mailgateway.smtp;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The envelope senders of one message: with VERP, each recipient's own return path and the request id as DSN
 * envelope id; without, none, and the message goes to all its recipients in one transaction.
 *
 * @param envelopeId    the request id, for ENVID when the relay offers DSN
 * @param byRecipient   return path by recipient address (compared without case)
 */
public record ReturnPathPlan(String envelopeId, Map<String, String> byRecipient) {

    /** No VERP: the relay sees the message's usual envelope sender. */
    public static final ReturnPathPlan NONE = new ReturnPathPlan(null, Map.of());

    public ReturnPathPlan {
        byRecipient = byRecipient.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                entry -> entry.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (first, same) -> first));
    }

    /** Whether each recipient gets a transaction of its own. */
    public boolean perRecipient() {
        return !byRecipient.isEmpty();
    }

    /** The return path of this recipient's copy, or null when it has none. */
    public String returnPath(String recipient) {
        return byRecipient.get(recipient.toLowerCase(Locale.ROOT));
    }
}
