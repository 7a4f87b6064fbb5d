package io.mailgateway.config;

import java.util.Locale;
import java.util.Map;

/**
 * How the gateway writes its log: read by log4j2.properties straight from the environment, before any other setting
 * exists, and checked here so that a value log4j cannot use stops the gateway with a reason instead of silencing it.
 *
 * <p>Owns {@code GATEWAY_LOG_FORMAT}: {@code text} (the default) or {@code json}, one event per line in the Elastic
 * Common Schema with the fields {@code mail.request_id} and {@code mail.tenant} while a request is handled.
 * ({@code GATEWAY_LOG_LEVEL}, the root level, is log4j's own to check.)
 */
public record LogSettings(Format format) {

    /** The console appenders of log4j2.properties, named as the values of {@code GATEWAY_LOG_FORMAT}. */
    public enum Format {
        TEXT, JSON
    }

    public static LogSettings fromEnvironment(Map<String, String> environment) {
        String value = environment.getOrDefault("GATEWAY_LOG_FORMAT", "text");
        // log4j looks the appender up by this exact name: "JSON" would find none, so it is refused too.
        for (Format format : Format.values()) {
            if (format.name().toLowerCase(Locale.ROOT).equals(value)) {
                return new LogSettings(format);
            }
        }
        throw new IllegalStateException("GATEWAY_LOG_FORMAT must be text or json but was " + value);
    }
}
