package io.mailgateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The settings of application.properties with every environment placeholder at its default. */
final class DefaultSettings {

    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:[A-Z0-9_]+:([^}]*)}}");

    private DefaultSettings() {
    }

    /** The defaults with some settings changed. */
    static Settings with(Map<String, String> changes) {
        Map<String, String> values = new HashMap<>(defaults());
        values.putAll(changes);
        return Settings.of(values);
    }

    static Map<String, String> defaults() {
        Properties properties = new Properties();
        try (InputStream in = DefaultSettings.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> values = new HashMap<>();
        properties.forEach((key, value) -> {
            Matcher placeholder = ENV_PLACEHOLDER.matcher((String) value);
            values.put((String) key, placeholder.matches() ? placeholder.group(1) : (String) value);
        });
        return values;
    }
}
