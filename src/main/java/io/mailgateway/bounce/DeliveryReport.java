package io.mailgateway.bounce;

import java.util.List;

/**
 * What one message in the bounce mailbox reports, before it is matched to the requests it is about.
 *
 * @param kind              how the report was read
 * @param reportMessageId   the report's own Message-ID (what makes handling it twice detectable), or null
 * @param returnPath        the address the report was sent to: a VERP return path when the mail had one, or null;
 *                          for a complaint, the complained-about mail's envelope sender (Original-Mail-From, else
 *                          its returned Return-Path), since providers send complaints to a feedback address
 * @param originalMessageId the Message-ID of the mail it is about, when the report quotes it, or null
 * @param originalEnvelopeId the DSN's Original-Envelope-Id (the request id the gateway sent as ENVID), or null
 * @param recipients        what it says about each recipient; empty for an unclassified report
 * @param feedbackType      the ARF Feedback-Type (abuse, fraud, ...) of a complaint, else null
 */
public record DeliveryReport(Kind kind, String reportMessageId, String returnPath, String originalMessageId,
        String originalEnvelopeId, List<ReportedRecipient> recipients, String feedbackType) {

    public DeliveryReport {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** How a report was read: an RFC 3464 DSN, an RFC 5965 complaint, a plain-text bounce, or not at all. */
    public enum Kind { DSN, ARF, TEXT, UNCLASSIFIED }

    /**
     * One recipient's line of a report.
     *
     * @param recipient  the address the report is about: Original-Recipient (what the gateway gave in RCPT TO),
     *                   else Final-Recipient; Original-Rcpt-To of a complaint; from a text bounce, or null when its
     *                   text names none
     * @param action     failed, delayed (or delivered, relayed, expanded, which the gateway ignores)
     * @param status     the enhanced status code, such as 5.1.1, or null; its class tells a failure that will last
     *                   (5.x.x) from one that may pass (4.x.x, such as a full mailbox)
     * @param remoteMta  the server that refused, or null
     * @param diagnostic the server's reply, such as "smtp; 550 5.1.1 user unknown", or null
     */
    public record ReportedRecipient(String recipient, Action action, String status, String remoteMta,
            String diagnostic) {
    }

    /** RFC 3464's Action field; COMPLAINED for the recipient of an ARF report. */
    public enum Action { FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED, COMPLAINED }
}
