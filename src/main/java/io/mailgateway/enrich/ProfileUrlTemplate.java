package io.mailgateway.enrich;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The profile service's URL for one recipient: the configured template with {@code {address}} replaced by the
 * address as a single, fully encoded path segment, so no address can change the scheme, host or path around it.
 */
public final class ProfileUrlTemplate {

    public static final String PLACEHOLDER = "{address}";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    // Literal addresses only: a name other than localhost is never resolved to decide, it could resolve elsewhere.
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*]?");

    private final String before;
    private final String after;
    private final boolean cleartextOffHost;

    private ProfileUrlTemplate(String before, String after, boolean cleartextOffHost) {
        this.before = before;
        this.after = after;
        this.cleartextOffHost = cleartextOffHost;
    }

    /**
     * Checks a template such as {@code https://profiles.internal/v1/people/{address}}: http or https, a host, no
     * credentials, no fragment, and {@code {address}} exactly once, inside the path.
     */
    public static ProfileUrlTemplate parse(String template) {
        String text = template == null ? "" : template.trim();
        int at = text.indexOf(PLACEHOLDER);
        if (at < 0 || text.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw invalid(text, "it needs " + PLACEHOLDER + " exactly once");
        }
        URI sample;
        try {
            sample = new URI(text.replace(PLACEHOLDER, "placeholder"));
        } catch (URISyntaxException e) {
            throw invalid(text, "it is not a URL (" + e.getReason() + ")");
        }
        String scheme = sample.getScheme() == null ? "" : sample.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(text, "it must start with http:// or https://");
        }
        if (sample.getHost() == null || sample.getHost().isEmpty()) {
            throw invalid(text, "it has no host");
        }
        if (sample.getRawUserInfo() != null) {
            throw invalid(text, "credentials do not belong in the URL; use GATEWAY_PROFILE_AUTH_HEADER_FILE");
        }
        if (sample.getRawFragment() != null) {
            throw invalid(text, "it must not have a fragment (#...)");
        }
        // The placeholder must sit in the path: after the authority, before any query.
        int pathStart = text.indexOf('/', text.indexOf("//") + 2);
        int queryStart = text.indexOf('?');
        if (pathStart < 0 || at < pathStart || (queryStart >= 0 && at > queryStart)) {
            throw invalid(text, PLACEHOLDER + " must be in the path, e.g. https://profiles.internal/v1/people/"
                    + PLACEHOLDER);
        }
        return new ProfileUrlTemplate(text.substring(0, at), text.substring(at + PLACEHOLDER.length()),
                cleartextOffHost(scheme, sample.getHost()));
    }

    /**
     * Whether lookups would travel as plain http:// to a host other than this machine's loopback, where a
     * credential could be read on the way.
     */
    public boolean cleartextOffHost() {
        return cleartextOffHost;
    }

    /** Whether a URL of this scheme and host leaves the machine unencrypted. */
    public static boolean cleartextOffHost(String scheme, String host) {
        return "http".equalsIgnoreCase(scheme) && !loopback(host);
    }

    /** localhost, a name under .localhost, 127.0.0.0/8 or ::1; nothing is looked up in DNS to decide. */
    static boolean loopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (!IP_LITERAL.matcher(name).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(name).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The URL for this address. */
    public String expand(String address) {
        return before + encodePathSegment(address) + after;
    }

    /**
     * Percent-encodes everything but RFC 3986's unreserved characters, so '/', '?', '#', '%', '+', '@' and braces in
     * an address stay inside the one segment and can never be read as URL structure or as a property placeholder.
     */
    static String encodePathSegment(String value) {
        StringBuilder encoded = new StringBuilder(value.length() * 3);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return encoded.toString();
    }

    private static IllegalArgumentException invalid(String template, String reason) {
        // credentials someone put in the URL stay out of the message
        String shown = template.replaceFirst("//[^/?#]*@", "//***@");
        return new IllegalArgumentException("GATEWAY_PROFILE_URL '" + shown + "' is not usable: " + reason);
    }
}
