package io.mailgateway.smtp;

import java.util.Locale;

/** How the connection to the relay is protected. */
public enum SmtpSecurity {
    /** Plain connection upgraded with STARTTLS; a relay that does not offer it gets nothing. */
    STARTTLS(587),
    /** TLS from the first byte (SMTPS). */
    TLS(465),
    /** No encryption at all; only allowed when explicitly enabled. */
    NONE(25);

    private final int defaultPort;

    SmtpSecurity(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /**
     * Refuses {@link #NONE} unless plaintext is explicitly allowed.
     *
     * @param setting  how the message names the security setting, such as {@code "SMTP_SECURITY="}
     * @param allowing the setting that allows plaintext, such as {@code "SMTP_ALLOW_PLAINTEXT=true"}
     */
    public void requirePlaintextAllowed(boolean plaintextAllowed, String setting, String allowing) {
        if (this == NONE && !plaintextAllowed) {
            throw new IllegalStateException(setting + "none sends credentials and mail in clear text; set " + allowing
                    + " to allow it");
        }
    }

    public static SmtpSecurity parse(String value) {
        String normalized = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (normalized) {
            case "", "starttls" -> STARTTLS;
            case "tls", "ssl", "smtps" -> TLS;
            case "none", "plain" -> NONE;
            default -> throw new IllegalArgumentException(
                    "SMTP_SECURITY must be one of starttls, tls, none but was '" + value + "'");
        };
    }
}
