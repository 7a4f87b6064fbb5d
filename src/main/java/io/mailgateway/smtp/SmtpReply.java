package io.mailgateway.smtp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply of the relay: the basic code, the RFC 3463 enhanced status (when the relay sent one) and the text.
 *
 * @param enhancedStatus like "5.1.1", or null
 * @param text           the reply without its leading code, e.g. "2.0.0 Ok: queued as 4F2"
 */
public record SmtpReply(int code, String enhancedStatus, String text) {

    // Angus does not parse enhanced status codes, so they are read from the reply text.
    private static final Pattern REPLY = Pattern.compile("^(\\d{3})[ -]?(.*)$", Pattern.DOTALL);
    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?:\\s|$)");

    /** Parses a reply line as Angus reports it ("250 2.0.0 Ok"); the code is taken from the line when present. */
    public static SmtpReply parse(int code, String reply) {
        String text = reply == null ? "" : reply.strip();
        Matcher matcher = REPLY.matcher(text);
        if (matcher.matches()) {
            if (code <= 0) {
                code = Integer.parseInt(matcher.group(1));
            }
            text = matcher.group(2).strip();
        }
        Matcher enhanced = ENHANCED.matcher(text);
        return new SmtpReply(code, enhanced.find() ? enhanced.group(1) : null, text);
    }

    public boolean positive() {
        return code >= 200 && code < 300;
    }

    public boolean transientFailure() {
        return code >= 400 && code < 500;
    }
}
