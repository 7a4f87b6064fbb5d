package io.mailgateway.smtp;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the gateway needs to reach one relay.
 *
 * @param username     null for a relay without AUTH
 * @param password     null when username is null
 * @param trustCaFile  extra PEM certificates to trust besides the JVM defaults, or null
 * @param heloName     name announced in EHLO, or null for the local host name
 */
public record SmtpSettings(
        String host,
        int port,
        SmtpSecurity security,
        String username,
        String password,
        Path trustCaFile,
        Duration connectTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        String heloName) {

    public SmtpSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("SMTP_HOST must be set");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("SMTP_PORT must be between 1 and 65535 but was " + port);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("SMTP_USERNAME and SMTP_PASSWORD must be set together");
        }
        for (Duration timeout : new Duration[] {connectTimeout, readTimeout, writeTimeout}) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("SMTP timeouts must be positive");
            }
        }
    }

    public boolean authenticates() {
        return username != null;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "SmtpSettings[" + security + " " + host + ":" + port
                + (username == null ? "" : ", user " + username) + "]";
    }
}
