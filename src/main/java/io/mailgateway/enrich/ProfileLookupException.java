package io.mailgateway.enrich;

/**
 * A mail that is not sent now because its recipient's profile could not be looked up: deferred to a later attempt
 * or failed, as GATEWAY_PROFILE_ON_FAILURE says.
 */
public class ProfileLookupException extends RuntimeException {

    /**
     * The result's reason category. The lookup feeds the template data, so a mail that cannot have its data is one
     * that cannot be rendered as intended; the relay is not involved.
     */
    public static final String CATEGORY = "render-failed";

    private final String detail;
    private final boolean deferred;

    public ProfileLookupException(String detail, boolean deferred) {
        super(detail);
        this.detail = detail;
        this.deferred = deferred;
    }

    public String category() {
        return CATEGORY;
    }

    public String detail() {
        return detail;
    }

    /** True when the request should be tried again later, false when it ends here. */
    public boolean deferred() {
        return deferred;
    }
}
