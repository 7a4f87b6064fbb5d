package io.mailgateway.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The custom header names producers may set: the operator's list of X-* names and X-* prefix patterns. */
public final class AllowedHeaders {

    // "X-Campaign" allows that name, "X-Tenant-*" every name with that prefix, "X-*" every X- name
    private static final Pattern ENTRY = Pattern.compile("X-[A-Za-z0-9-]{0,64}\\*|X-[A-Za-z0-9-]{1,64}",
            Pattern.CASE_INSENSITIVE);

    private final List<String> names;
    private final List<String> prefixes;
    private final String setting;

    private AllowedHeaders(List<String> names, List<String> prefixes, String setting) {
        this.names = List.copyOf(names);
        this.prefixes = List.copyOf(prefixes);
        this.setting = setting;
    }

    /** Every X- header, the default. */
    public static AllowedHeaders anyXHeader() {
        return parse("X-*");
    }

    /**
     * Parses a comma-separated list such as {@code X-Campaign,X-Tenant-*}; {@code none} (or blank) allows no custom
     * header at all.
     *
     * @throws IllegalArgumentException for an entry that is not an X- name or X- prefix pattern
     */
    public static AllowedHeaders parse(String setting) {
        List<String> names = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String text = setting == null ? "" : setting;
        if (text.strip().equalsIgnoreCase("none")) {
            return new AllowedHeaders(names, prefixes, "none");
        }
        for (String raw : text.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (!ENTRY.matcher(entry).matches()) {
                // standard header names must never become producer-controlled, whatever the operator writes
                throw new IllegalArgumentException("GATEWAY_ALLOWED_HEADERS: '" + entry
                        + "' is not an X- header name (X-Campaign) or X- prefix pattern (X-Tenant-*)");
            }
            String lower = entry.toLowerCase(Locale.ROOT);
            if (lower.endsWith("*")) {
                prefixes.add(lower.substring(0, lower.length() - 1));
            } else {
                names.add(lower);
            }
        }
        return new AllowedHeaders(names, prefixes, text.strip());
    }

    /** Whether a producer may set this header; header names compare case-insensitively. */
    public boolean allows(String headerName) {
        String lower = headerName.toLowerCase(Locale.ROOT);
        return names.contains(lower) || prefixes.stream().anyMatch(lower::startsWith);
    }

    @Override
    public String toString() {
        return "AllowedHeaders[" + setting + "]";
    }
}
