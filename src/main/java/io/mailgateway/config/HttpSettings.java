package io.mailgateway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The public HTTP endpoints beside the flow: template preview pages and one-click unsubscribe.
 *
 * <p>Owns {@code camel.server.enabled}, {@code camel.server.port} and {@code camel.server.max-body-size} (read only:
 * Camel runs the server),
 * {@code gateway.preview.*} and {@code gateway.unsubscribe.*}.
 *
 * @param unsubscribeSecret as written; never shows in {@link #toString()}
 * @param maxBodyBytes      the largest request body the server reads; larger ones are refused (413)
 */
public record HttpSettings(boolean httpEnabled, int httpPort, boolean previewEnabled, Optional<Path> previewMailDir,
        boolean unsubscribeEnabled, Optional<String> unsubscribeSecret, Optional<Path> unsubscribeSecretFile,
        long maxBodyBytes) {

    /** A one-click unsubscribe body as a mail provider sends it (multipart/form-data) must fit. */
    static final long MIN_BODY_BYTES = 512;
    /** Nothing the server answers needs a large body: a few KiB keep a flood of large bodies cheap. */
    static final long MAX_BODY_BYTES = 1024 * 1024;

    public HttpSettings {
        if (maxBodyBytes < MIN_BODY_BYTES || maxBodyBytes > MAX_BODY_BYTES) {
            throw new IllegalStateException("GATEWAY_HTTP_MAX_BODY_BYTES must be between " + MIN_BODY_BYTES + " and "
                    + MAX_BODY_BYTES + " but was " + maxBodyBytes);
        }
        if (previewEnabled && !httpEnabled) {
            throw new IllegalStateException("GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true:"
                    + " the preview pages are served by the public HTTP server");
        }
    }

    public static HttpSettings from(Settings source) {
        return new HttpSettings(source.flag("camel.server.enabled"), source.integer("camel.server.port"),
                source.flag("gateway.preview.enabled"),
                source.optionalPath("gateway.preview.mail-dir"), source.flag("gateway.unsubscribe.enabled"),
                source.optionalAsWritten("gateway.unsubscribe.secret"),
                source.optionalPath("gateway.unsubscribe.secret-file"), source.whole("camel.server.max-body-size"));
    }

    /** A secret was given, so unsubscribe links can be signed and checked even when the endpoint is off. */
    public boolean hasUnsubscribeSecret() {
        return unsubscribeSecret.isPresent() || unsubscribeSecretFile.isPresent();
    }

    @Override
    public String toString() {
        return "HttpSettings[http " + httpEnabled + ", max body " + maxBodyBytes + " bytes, preview " + previewEnabled
                + ", unsubscribe " + unsubscribeEnabled
                + (hasUnsubscribeSecret() ? ", secret set" : "") + "]";
    }
}
