package io.mailgateway.suppress;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * Recognises the body RFC 8058 requires of a one-click unsubscribe POST, {@code List-Unsubscribe=One-Click}, as
 * mail providers send it: form-urlencoded or as a field of multipart/form-data.
 */
final class OneClickBody {

    private static final String FIELD = "List-Unsubscribe";
    private static final String VALUE = "One-Click";

    private OneClickBody() {
    }

    /**
     * Whether the body, of this Content-Type, carries the one-click field.
     *
     * @param body the raw body, or its fields when the HTTP server has read the form already: a map of field names
     *             to a value, or to a list of values when a field is given more than once
     */
    static boolean isOneClick(String contentType, Object body) {
        if (contentType == null || body == null) {
            return false;
        }
        if (body instanceof Map<?, ?> fields) {
            Object value = fields.get(FIELD);
            return VALUE.equals(value) || value instanceof List<?> values && values.contains(VALUE);
        }
        return body instanceof byte[] bytes ? isOneClick(contentType, bytes)
                : body instanceof String text && isOneClick(contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isOneClick(String contentType, byte[] body) {
        if (body.length == 0) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (mediaType) {
            case "application/x-www-form-urlencoded" -> formHasOneClick(new String(body, StandardCharsets.US_ASCII));
            case "multipart/form-data" -> multipartHasOneClick(contentType, body);
            default -> false;
        };
    }

    private static boolean formHasOneClick(String form) {
        for (String field : form.strip().split("&")) {
            int equals = field.indexOf('=');
            if (equals > 0) {
                try {
                    if (FIELD.equals(URLDecoder.decode(field.substring(0, equals), StandardCharsets.UTF_8))
                            && VALUE.equals(URLDecoder.decode(field.substring(equals + 1), StandardCharsets.UTF_8))) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
        }
        return false;
    }

    private static boolean multipartHasOneClick(String contentType, byte[] body) {
        try {
            MimeMultipart parts = new MimeMultipart(new ByteArrayDataSource(body, contentType));
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart part = parts.getBodyPart(i);
                String[] disposition = part.getHeader("Content-Disposition");
                if (disposition != null && FIELD.equals(new ContentDisposition(disposition[0]).getParameter("name"))
                        && VALUE.equals(text(part).strip())) {
                    return true;
                }
            }
            return false;
        } catch (MessagingException | IOException | RuntimeException e) {
            // Not multipart after all (no boundary, truncated): not the body RFC 8058 asks for.
            return false;
        }
    }

    private static String text(BodyPart part) throws MessagingException, IOException {
        try (var in = part.getInputStream()) {
            return new String(in.readNBytes(64), StandardCharsets.UTF_8);
        }
    }
}
