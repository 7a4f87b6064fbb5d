package io.mailgateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.CamelContext;
import org.apache.camel.util.TimeUtils;

/** Reads the gateway's settings by key as typed values: application.properties, the environment and overrides. */
public final class Settings {

    private final Function<String, Optional<String>> lookup;

    private Settings(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    /** The settings Camel resolved, placeholders such as {@code {{env:NAME:default}}} included. */
    public static Settings of(CamelContext context) {
        return new Settings(context.getPropertiesComponent()::resolveProperty);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(key -> Optional.ofNullable(values.get(key)));
    }

    /** The value as written, or the default when the key is not set at all. */
    public String text(String key, String defaultValue) {
        return lookup.apply(key).orElse(defaultValue);
    }

    /** The value as written; the key must be set (application.properties sets every key the gateway needs). */
    public String text(String key) {
        return lookup.apply(key).orElseThrow(() -> new IllegalStateException("Missing setting " + key));
    }

    /** The trimmed value, empty when the key is not set or blank: blank means "not used" throughout the gateway. */
    public Optional<String> optional(String key) {
        return lookup.apply(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    /** The value exactly as written (secrets, names), empty when the key is not set or blank. */
    public Optional<String> optionalAsWritten(String key) {
        return lookup.apply(key).filter(value -> !value.isBlank());
    }

    public Optional<Path> optionalPath(String key) {
        return optional(key).map(Path::of);
    }

    public int integer(String key) {
        return (int) number(key, text(key), Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public long whole(String key) {
        return number(key, text(key), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public long whole(String key, long defaultValue) {
        return number(key, text(key, String.valueOf(defaultValue)), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public boolean flag(String key) {
        String value = text(key).trim();
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(key + " must be true or false but was " + value);
    }

    public Duration millis(String key) {
        return Duration.ofMillis(whole(key));
    }

    public Duration millis(String key, long defaultMillis) {
        return Duration.ofMillis(whole(key, defaultMillis));
    }

    /** A duration such as "10m", "24h" or "7d". */
    public Duration duration(String key) {
        return TimeUtils.toDuration(text(key).trim());
    }

    public Duration duration(String key, String defaultValue) {
        return TimeUtils.toDuration(text(key, defaultValue).trim());
    }

    /**
     * The content of the file a setting names, for secrets mounted as files.
     *
     * @param name the setting as users know it (its environment variable), for the error message
     */
    public static String readSecret(Path file, String name) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            // The path is safe to name, the content is not.
            throw new IllegalStateException("Cannot read " + name + " " + file, e);
        }
    }

    private static long number(String key, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number but was " + value.trim());
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + " but was " + parsed);
        }
        return parsed;
    }
}
