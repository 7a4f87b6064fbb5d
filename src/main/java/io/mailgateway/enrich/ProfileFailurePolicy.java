package io.mailgateway.enrich;

import java.util.Locale;

/** What happens to a mail when its recipient's profile cannot be looked up (timeout, error, service down). */
public enum ProfileFailurePolicy {
    /** Send the mail without profile data. */
    CONTINUE,
    /** Try the whole request again later on the retry schedule (a DEFERRED result). */
    DEFER,
    /** Give up on the request (a FAILED result naming the lookup failure). */
    FAIL;

    public static ProfileFailurePolicy parse(String value) {
        String name = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (ProfileFailurePolicy policy : values()) {
            if (policy.name().equals(name)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("GATEWAY_PROFILE_ON_FAILURE must be continue, defer or fail, not '"
                + value + "'");
    }
}
