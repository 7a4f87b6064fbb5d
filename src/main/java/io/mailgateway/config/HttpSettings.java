package io.mailgateway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The public HTTP endpoints beside the flow: template preview pages and one-click unsubscribe.
 *
 * <p>Owns {@code camel.server.enabled} (read only: Camel runs the server), {@code gateway.preview.*} and
 * {@code gateway.unsubscribe.*}.
 *
 * @param unsubscribeSecret as written; never shows in {@link #toString()}
 */
public record HttpSettings(boolean httpEnabled, boolean previewEnabled, Optional<Path> previewMailDir,
        boolean unsubscribeEnabled, Optional<String> unsubscribeSecret, Optional<Path> unsubscribeSecretFile) {

    public HttpSettings {
        if (previewEnabled && !httpEnabled) {
            throw new IllegalStateException("GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true:"
                    + " the preview pages are served by the public HTTP server");
        }
    }

    public static HttpSettings from(Settings source) {
        return new HttpSettings(source.flag("camel.server.enabled"), source.flag("gateway.preview.enabled"),
                source.optionalPath("gateway.preview.mail-dir"), source.flag("gateway.unsubscribe.enabled"),
                source.optionalAsWritten("gateway.unsubscribe.secret"),
                source.optionalPath("gateway.unsubscribe.secret-file"));
    }

    /** A secret was given, so unsubscribe links can be signed and checked even when the endpoint is off. */
    public boolean hasUnsubscribeSecret() {
        return unsubscribeSecret.isPresent() || unsubscribeSecretFile.isPresent();
    }

    @Override
    public String toString() {
        return "HttpSettings[http " + httpEnabled + ", preview " + previewEnabled
                + ", unsubscribe " + unsubscribeEnabled
                + (hasUnsubscribeSecret() ? ", secret set" : "") + "]";
    }
}
