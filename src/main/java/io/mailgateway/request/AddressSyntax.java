package io.mailgateway.request;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** Decides whether a text is a bare address the gateway may put into an envelope and its headers. */
final class AddressSyntax {

    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]+");
    private static final Pattern HOSTNAME = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_DOMAIN = 253;
    private static final int MAX_ADDRESS = 254;
    // RFC 5322 atext, the characters of an unquoted local part besides '.'
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private AddressSyntax() {
    }

    /**
     * The address as it goes into the envelope and the headers, or null when the text is not a bare addr-spec
     * (local@hostname, no display name, comment, group or route). A Unicode domain is converted to A-labels, so
     * nothing but ASCII ever reaches the relay for it; a UTF-8 local part (RFC 6531) is kept only when allowed
     * and needs a relay that offers SMTPUTF8.
     */
    static String wireAddress(String text, boolean utf8LocalPart) {
        int at = text.lastIndexOf('@');
        // ASCII blanks are legal inside a quoted local part and checked by the ASCII rules below
        if (at <= 0 || text.codePoints().anyMatch(c -> HeaderText.breaksLine(c)
                || (c > 0x7f && (Character.isWhitespace(c) || Character.isSpaceChar(c))))) {
            return null;
        }
        String local = text.substring(0, at);
        String domain = asciiDomain(text.substring(at + 1));
        if (domain == null) {
            return null;
        }
        String address = local + "@" + domain;
        if (address.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS) {
            return null;
        }
        if (PRINTABLE_ASCII.matcher(local).matches()) {
            return local.length() <= MAX_LOCAL_PART && isStrictAsciiAddress(address) ? address : null;
        }
        return utf8LocalPart && isUtf8DotAtom(local) ? address : null;
    }

    /** The domain in A-labels, or null when it is not a host name. */
    private static String asciiDomain(String domain) {
        String ascii;
        if (PRINTABLE_ASCII.matcher(domain).matches()) {
            ascii = domain;
        } else {
            try {
                // IDNA 2003 as the JDK has it; STD3 rules keep the result to letters, digits and hyphens
                ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return ascii.length() <= MAX_DOMAIN && HOSTNAME.matcher(ascii).matches() ? ascii : null;
    }

    private static boolean isStrictAsciiAddress(String address) {
        InternetAddress parsed;
        try {
            parsed = new InternetAddress(address, true);
        } catch (AddressException | RuntimeException e) {
            return false;
        }
        // InternetAddress happily takes "Name <a@b>", "<a@b>", "a@b (comment)", surrounding blanks and groups;
        // all but groups come back with an address that differs from the input
        return !parsed.isGroup() && address.equals(parsed.getAddress());
    }

    /**
     * An unquoted local part of atext and non-ASCII characters (RFC 6531), at most 64 octets of UTF-8. A local part
     * cannot be encoded, so characters whose code point ends in 0x0A or 0x0D (such as U+010A, U+010D, U+560A) are
     * refused: a mail library that writes one byte per character would turn them into a line break.
     */
    private static boolean isUtf8DotAtom(String local) {
        if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART
                || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        // per UTF-16 unit, as such a library cuts them: U+12800 is D80A DC00, its high surrogate ends in 0x0A
        return local.chars().allMatch(c -> c < 0x80 || ((c & 0xff) != '\r' && (c & 0xff) != '\n'))
                && local.codePoints().allMatch(c -> c == '.' || c > 0x7f
                        || (c < 0x7f && (Character.isLetterOrDigit(c) || ATEXT_SPECIALS.indexOf(c) >= 0)));
    }
}
