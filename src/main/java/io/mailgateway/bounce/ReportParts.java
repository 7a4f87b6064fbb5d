package io.mailgateway.bounce;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;

/**
 * The parts of a report that say something, found by walking its MIME tree no deeper and no wider than a report
 * needs: the machine-readable status or feedback, the returned headers of the original mail, and the human text.
 */
final class ReportParts {

    /** Nesting a report needs: a DSN is two levels deep, a forwarded or wrapped one three or four. */
    static final int MAX_DEPTH = 5;
    /** Parts a report needs: three or four, a few more with alternatives; more is a mail bomb, not a report. */
    static final int MAX_PARTS = 64;
    /** Text read for the rules: a bounce's explanation comes first; the quoted original mail after it is noise. */
    static final int MAX_TEXT_CHARS = 16 * 1024;
    /**
     * Longest line given to the rules, RFC 5322's limit: the rules scan line by line, and one endless line would
     * make a pattern's work grow with the square of the report instead of with its size.
     */
    static final int MAX_LINE_CHARS = 998;
    private static final Pattern LONG_LINE = Pattern.compile("[^\n]{" + MAX_LINE_CHARS + "}(?=[^\n])");

    private int visited;
    private String reportType;
    private byte[] deliveryStatus;
    private byte[] feedbackReport;
    private InternetHeaders returnedHeaders;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder html = new StringBuilder();

    private ReportParts() {
    }

    static ReportParts of(Part message) throws MessagingException, IOException {
        ReportParts parts = new ReportParts();
        parts.visit(message, 0, false);
        return parts;
    }

    /** {@code delivery-status}, {@code feedback-report} or another report-type, lower case; null for no report. */
    String reportType() {
        return reportType;
    }

    byte[] deliveryStatus() {
        return deliveryStatus;
    }

    byte[] feedbackReport() {
        return feedbackReport;
    }

    /** The headers of the mail the report is about, when it returns them; else null. */
    InternetHeaders returnedHeaders() {
        return returnedHeaders;
    }

    /** The report's text for people, with line ends made {@code \n}; HTML stripped of tags when there is no text. */
    String text() {
        String chosen = text.length() > 0 ? text.toString() : html.toString().replaceAll("<[^<>]{0,2000}>", " ");
        String lines = chosen.replace("\r\n", "\n").replace('\r', '\n');
        return LONG_LINE.matcher(lines).replaceAll("$0\n");
    }

    private void visit(Part part, int depth, boolean insideReport) throws MessagingException, IOException {
        if (++visited > MAX_PARTS || depth > MAX_DEPTH) {
            return;
        }
        ContentType type = contentType(part);
        String base = type == null ? "text/plain" : type.getBaseType().toLowerCase(Locale.ROOT);
        if (base.startsWith("multipart/")) {
            boolean report = base.equals("multipart/report");
            if (report && reportType == null) {
                String declared = type.getParameter("report-type");
                reportType = declared == null ? "" : declared.trim().toLowerCase(Locale.ROOT);
            }
            if (!(part.getContent() instanceof Multipart multipart)) {
                return;
            }
            int count = Math.min(multipart.getCount(), MAX_PARTS);
            for (int i = 0; i < count && visited <= MAX_PARTS; i++) {
                visit(multipart.getBodyPart(i), depth + 1, insideReport || report);
            }
            return;
        }
        switch (base) {
            case "message/delivery-status", "message/global-delivery-status" -> {
                if (deliveryStatus == null) {
                    deliveryStatus = bytes(part);
                }
            }
            case "message/feedback-report" -> {
                if (feedbackReport == null) {
                    feedbackReport = bytes(part);
                }
            }
            case "text/rfc822-headers", "text/global-headers", "message/rfc822", "message/global",
                    "message/rfc822-headers" -> {
                if (returnedHeaders == null) {
                    returnedHeaders = new InternetHeaders(new ByteArrayInputStream(bytes(part)));
                }
            }
            case "text/plain" -> append(text, part, type);
            case "text/html" -> append(html, part, type);
            default -> {
                // attachments and unknown parts say nothing about delivery
            }
        }
    }

    private static ContentType contentType(Part part) {
        try {
            String header = part.getContentType();
            return header == null ? null : new ContentType(header);
        } catch (MessagingException | RuntimeException e) {
            // an unreadable Content-Type is read as RFC 2045's default, plain text
            return null;
        }
    }

    private void append(StringBuilder into, Part part, ContentType type) throws MessagingException, IOException {
        int room = MAX_TEXT_CHARS - into.length();
        if (room <= 0) {
            return;
        }
        String decoded = new String(bytes(part), charset(type));
        into.append(decoded, 0, Math.min(decoded.length(), room)).append('\n');
    }

    private static Charset charset(ContentType type) {
        String name = type == null ? null : type.getParameter("charset");
        try {
            return name == null ? StandardCharsets.US_ASCII : Charset.forName(MimeUtility.javaCharset(name.trim()));
        } catch (RuntimeException e) {
            // an unknown charset still leaves the ASCII of addresses and status codes readable
            return StandardCharsets.ISO_8859_1;
        }
    }

    /** The part's content, transfer-decoded; never more than the bounded report it comes from. */
    private static byte[] bytes(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }
}
