package io.mailgateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The bounce mailbox the gateway reads delivery reports from, where it files them, and when soft bounces suppress.
 *
 * <p>Owns {@code gateway.bounce.mailbox.*} and {@code gateway.soft-bounce.*}; reads {@code gateway.bounce.secret-file}
 * (the VERP key), which the mailbox needs to match reports to requests.
 *
 * @param mailbox        the mailbox, or empty when intake is off
 * @param secretFile     the key the return paths were signed with, or empty
 * @param softBounceDays how far back soft bounces count
 */
public record BounceMailboxSettings(Optional<Mailbox> mailbox, Optional<Path> secretFile, Duration pollDelay,
        String handledFolder, String unclassifiedFolder, int softBounceLimit, Duration softBounceDays) {

    /**
     * @param imaps    whether the mailbox is read over TLS (imaps) rather than plain IMAP
     * @param folder   the folder reports arrive in, INBOX unless the URL's path names another
     * @param password read from its file; never shows in {@link #toString()}
     * @param trustCaFile a further CA (PEM) to trust for the server's certificate, or null
     */
    public record Mailbox(boolean imaps, String host, int port, String folder, String username, String password,
            Path trustCaFile) {

        @Override
        public String toString() {
            return "Mailbox[" + (imaps ? "imaps" : "imap") + "://" + host + ":" + port + "/" + folder + " as "
                    + username + "]";
        }
    }

    public BounceMailboxSettings {
        if (handledFolder.isBlank() || unclassifiedFolder.isBlank()) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_HANDLED_FOLDER and"
                    + " GATEWAY_BOUNCE_MAILBOX_UNCLASSIFIED_FOLDER must name folders");
        }
        if (softBounceLimit < 1) {
            throw new IllegalStateException("GATEWAY_SOFT_BOUNCE_LIMIT must be at least 1 but was " + softBounceLimit);
        }
        if (softBounceDays.isNegative() || softBounceDays.isZero()) {
            throw new IllegalStateException("GATEWAY_SOFT_BOUNCE_DAYS must be at least 1");
        }
        if (pollDelay.toMillis() < 100) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_POLL_DELAY must be at least 100ms");
        }
        if (mailbox.isPresent() && secretFile.isEmpty()) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL needs GATEWAY_BOUNCE_SECRET_FILE: reports are"
                    + " matched to requests by the return paths signed with it");
        }
    }

    public static BounceMailboxSettings from(Settings source) {
        Optional<Mailbox> mailbox = source.optional("gateway.bounce.mailbox.url").map(url -> mailbox(url, source));
        long days = source.whole("gateway.soft-bounce.days");
        if (days < 1 || days > 365) {
            throw new IllegalStateException("GATEWAY_SOFT_BOUNCE_DAYS must be between 1 and 365 but was " + days);
        }
        return new BounceMailboxSettings(mailbox, source.optionalPath("gateway.bounce.secret-file"),
                source.duration("gateway.bounce.mailbox.poll-delay"),
                source.text("gateway.bounce.mailbox.handled-folder").trim(),
                source.text("gateway.bounce.mailbox.unclassified-folder").trim(),
                source.integer("gateway.soft-bounce.limit"), Duration.ofDays(days));
    }

    private static Mailbox mailbox(String url, Settings source) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("imaps") && !scheme.equals("imap")) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL must be imaps://HOST[:PORT][/FOLDER]"
                    + " (or imap:// on a trusted network)");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL must be imaps://HOST[:PORT][/FOLDER], with the"
                    + " user in GATEWAY_BOUNCE_MAILBOX_USERNAME and the password in its file");
        }
        boolean imaps = scheme.equals("imaps");
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String username = source.optionalAsWritten("gateway.bounce.mailbox.username").orElseThrow(() ->
                new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL needs GATEWAY_BOUNCE_MAILBOX_USERNAME"));
        Path passwordFile = source.optionalPath("gateway.bounce.mailbox.password-file").orElseThrow(() ->
                new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_URL needs GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE"));
        String password = Settings.readSecret(passwordFile, "GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE");
        Optional<Path> trustCaFile = source.optionalPath("gateway.bounce.mailbox.trust-ca-file");
        if (trustCaFile.isPresent() && !Files.isReadable(trustCaFile.get())) {
            throw new IllegalStateException("GATEWAY_BOUNCE_MAILBOX_TRUST_CA_FILE " + trustCaFile.get()
                    + " cannot be read");
        }
        return new Mailbox(imaps, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : imaps ? 993 : 143,
                path.isEmpty() ? "INBOX" : path, username, password, trustCaFile.orElse(null));
    }
}
