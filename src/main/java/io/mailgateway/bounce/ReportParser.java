package io.mailgateway.bounce;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.bounce.DeliveryReport.Action;
import io.mailgateway.bounce.DeliveryReport.Kind;
import io.mailgateway.bounce.DeliveryReport.ReportedRecipient;
import io.mailgateway.returnpath.ReturnPaths;

/**
 * Reads what a message in the bounce mailbox reports: an RFC 3464 delivery status notification, an RFC 5965
 * complaint, a plain-text bounce known to the text rules, or, for anything else, an unclassified report.
 */
public final class ReportParser {

    /**
     * Bytes of a report read: a report's status, feedback and returned headers fit in its first few kilobytes; what
     * follows is the returned copy of the original mail, as big as the mail was, and reading it buys nothing.
     */
    static final int MAX_REPORT_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ReportParser.class);
    private static final String VERP_PREFIX = ReturnPaths.LOCAL_PART + "+";

    private final TextBounceRules textRules;
    private final Session session;

    /** A parser with the bundled text rules. */
    public ReportParser() {
        this(TextBounceRules.bundled());
    }

    public ReportParser(TextBounceRules textRules) {
        this.textRules = textRules;
        Properties properties = new Properties();
        // a report cut at the byte limit has lost its closing boundaries; what came before them is still readable
        properties.setProperty("mail.mime.multipart.ignoremissingendboundary", "true");
        properties.setProperty("mail.mime.multipart.allowempty", "true");
        this.session = Session.getInstance(properties);
    }

    /**
     * What the report says. Never throws for the report's content: an unreadable, broken or unknown report is
     * {@link Kind#UNCLASSIFIED} with no recipients.
     */
    public DeliveryReport parse(MimeMessage report) {
        String reportMessageId = null;
        String deliveryAddress = null;
        try {
            MimeMessage bounded = bounded(report);
            reportMessageId = messageId(bounded.getHeader("Message-ID", null));
            deliveryAddress = deliveryAddress(bounded);
            ReportParts parts = ReportParts.of(bounded);
            DeliveryReport read = read(parts, reportMessageId, deliveryAddress);
            if (read != null) {
                return read;
            }
        } catch (MessagingException | IOException | RuntimeException e) {
            LOG.debug("Report {} is unreadable: {}", reportMessageId, e.getClass().getSimpleName());
        }
        return new DeliveryReport(Kind.UNCLASSIFIED, reportMessageId, deliveryAddress, null, null, List.of(), null);
    }

    private DeliveryReport read(ReportParts parts, String reportMessageId, String deliveryAddress)
            throws MessagingException, IOException {
        InternetHeaders returned = parts.returnedHeaders();
        String originalMessageId = returned == null ? null : messageId(returned.getHeader("Message-ID", null));
        if (parts.deliveryStatus() != null) {
            DeliveryStatus status = new DeliveryStatus(new ByteArrayInputStream(parts.deliveryStatus()));
            List<ReportedRecipient> recipients = recipients(status);
            if (!recipients.isEmpty()) {
                String envelopeId = ReportFields.envelopeId(
                        ReportFields.text(status.getMessageDSN(), "Original-Envelope-Id"));
                return new DeliveryReport(Kind.DSN, reportMessageId, deliveryAddress, originalMessageId, envelopeId,
                        recipients, null);
            }
        }
        if (parts.feedbackReport() != null) {
            return complaint(new InternetHeaders(new ByteArrayInputStream(parts.feedbackReport())), returned,
                    reportMessageId, deliveryAddress, originalMessageId);
        }
        List<ReportedRecipient> fromText = textRules.read(parts.text());
        if (fromText.isEmpty()) {
            return null;
        }
        String returnedRecipient = returned == null ? null : firstAddress(returned.getHeader("To", ","));
        List<ReportedRecipient> recipients = fromText.stream()
                .map(line -> line.recipient() != null || returnedRecipient == null ? line
                        : new ReportedRecipient(returnedRecipient, line.action(), line.status(), line.remoteMta(),
                                line.diagnostic()))
                .toList();
        return new DeliveryReport(Kind.TEXT, reportMessageId, deliveryAddress, originalMessageId, null, recipients,
                null);
    }

    private static List<ReportedRecipient> recipients(DeliveryStatus status) {
        List<ReportedRecipient> recipients = new ArrayList<>();
        for (int i = 0; i < status.getRecipientDSNCount(); i++) {
            InternetHeaders fields = status.getRecipientDSN(i);
            // the address the gateway gave in RCPT TO: a forwarding rewrite changes only the final one
            String recipient = ReportFields.typedValue(ReportFields.text(fields, "Original-Recipient"));
            if (recipient == null) {
                recipient = ReportFields.typedValue(ReportFields.text(fields, "Final-Recipient"));
            }
            String statusCode = ReportFields.status(ReportFields.text(fields, "Status"));
            Action action = ReportFields.action(ReportFields.text(fields, "Action"));
            if (action == null) {
                action = ReportFields.actionOfStatus(statusCode);
            }
            if (recipient == null || action == null) {
                continue;
            }
            recipients.add(new ReportedRecipient(recipient, action, statusCode,
                    ReportFields.typedValue(ReportFields.text(fields, "Remote-MTA")),
                    ReportFields.text(fields, "Diagnostic-Code")));
        }
        return recipients;
    }

    private static DeliveryReport complaint(InternetHeaders feedback, InternetHeaders returned,
            String reportMessageId, String deliveryAddress, String originalMessageId) {
        String feedbackType = ReportFields.text(feedback, "Feedback-Type");
        List<ReportedRecipient> recipients = new ArrayList<>();
        String[] rcptTo = feedback.getHeader("Original-Rcpt-To");
        for (int i = 0; rcptTo != null && i < rcptTo.length && i < TextBounceRules.MAX_RECIPIENTS; i++) {
            String recipient = ReportFields.typedValue(rcptTo[i].trim());
            if (recipient != null) {
                recipients.add(new ReportedRecipient(recipient, Action.COMPLAINED, null, null, null));
            }
        }
        if (recipients.isEmpty() && returned != null) {
            // providers that leave out Original-Rcpt-To still return the mail, addressed to the one who complained
            String to = firstAddress(returned.getHeader("To", ","));
            if (to != null) {
                recipients.add(new ReportedRecipient(to, Action.COMPLAINED, null, null, null));
            }
        }
        // the provider sends a complaint to its feedback address; the mail's own VERP return path is quoted inside
        String returnPath = ReportFields.typedValue(ReportFields.text(feedback, "Original-Mail-From"));
        if (returnPath == null && returned != null) {
            returnPath = firstAddress(returned.getHeader("Return-Path", ","));
        }
        return new DeliveryReport(Kind.ARF, reportMessageId, returnPath != null ? returnPath : deliveryAddress,
                originalMessageId, null, recipients,
                feedbackType == null ? null : feedbackType.toLowerCase(Locale.ROOT));
    }

    /**
     * The address the report was delivered to: of Delivered-To, X-Original-To and To, the first that is a VERP
     * return path, else the first there is.
     */
    private static String deliveryAddress(MimeMessage report) throws MessagingException {
        List<String> candidates = new ArrayList<>();
        for (String header : List.of("Delivered-To", "X-Original-To", "To")) {
            String[] values = report.getHeader(header);
            for (int i = 0; values != null && i < values.length; i++) {
                String address = firstAddress(values[i]);
                if (address != null) {
                    candidates.add(address);
                }
            }
        }
        return candidates.stream()
                .filter(address -> address.toLowerCase(Locale.ROOT).startsWith(VERP_PREFIX))
                .findFirst()
                .orElse(candidates.isEmpty() ? null : candidates.get(0));
    }

    private static String firstAddress(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            InternetAddress[] addresses = InternetAddress.parseHeader(header, false);
            if (addresses.length > 0 && addresses[0].getAddress() != null && !addresses[0].getAddress().isBlank()) {
                return addresses[0].getAddress().trim();
            }
        } catch (AddressException e) {
            // a header no address parser accepts still often holds a bare address
        }
        return ReportFields.typedValue(header.trim().split("[\\s,]+", 2)[0]);
    }

    private static String messageId(String header) {
        String value = header == null ? null : header.replaceAll("\\s+", "");
        return value == null || value.isEmpty() ? null : value;
    }

    /** The report as read from its first {@link #MAX_REPORT_BYTES}, so that nothing after them is ever parsed. */
    private MimeMessage bounded(MimeMessage report) throws MessagingException, IOException {
        LimitedBuffer buffer = new LimitedBuffer(MAX_REPORT_BYTES);
        try {
            report.writeTo(buffer);
        } catch (LimitedBuffer.Full full) {
            LOG.debug("Report {} is longer than {} bytes; reading its beginning", report.getMessageID(),
                    MAX_REPORT_BYTES);
        }
        return new MimeMessage(session, new ByteArrayInputStream(buffer.toByteArray()));
    }

    /** Collects bytes up to a limit and then stops the writer. */
    private static final class LimitedBuffer extends ByteArrayOutputStream {

        private final int limit;

        LimitedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (count >= limit) {
                throw new Full();
            }
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            int room = limit - count;
            super.write(bytes, offset, Math.min(length, room));
            if (length > room) {
                throw new Full();
            }
        }

        private static final class Full extends RuntimeException {
            Full() {
                super("report longer than the limit", null, false, false);
            }
        }
    }
}
