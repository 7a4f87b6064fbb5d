package io.mailgateway.local;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;

/**
 * Plays a recipient domain whose server refuses every address after the relay accepted the mail: returns an RFC
 * 3464 report for its recipients to the mail's envelope sender, as a relay does when the next hop answers 550.
 */
public final class BouncingDomain implements Consumer<ReceivedMail> {

    private static final Logger LOG = LoggerFactory.getLogger(BouncingDomain.class);

    private final String domain;
    private final String reportingMta;
    private final Consumer<MimeMessage> returnToSender;

    /**
     * @param domain         every recipient of this domain bounces, e.g. {@code bounce.test}
     * @param reportingMta   the name the reports give for the MTA that gave up
     * @param returnToSender delivers a report to the mailbox of its recipient (the envelope sender)
     */
    public BouncingDomain(String domain, String reportingMta, Consumer<MimeMessage> returnToSender) {
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.reportingMta = reportingMta;
        this.returnToSender = returnToSender;
    }

    public String domain() {
        return domain;
    }

    @Override
    public void accept(ReceivedMail mail) {
        List<String> bounced = mail.envelopeRecipients().stream()
                .filter(recipient -> recipient.toLowerCase(Locale.ROOT).endsWith("@" + domain))
                .toList();
        // a null sender (MAIL FROM:<>) is itself a report: answering it could loop for ever (RFC 5321, 6.1)
        if (bounced.isEmpty() || mail.envelopeFrom() == null || mail.envelopeFrom().isBlank()) {
            return;
        }
        try {
            returnToSender.accept(DeliveryStatusReports.userUnknown(mail, bounced, reportingMta, "mx." + domain));
        } catch (MessagingException | RuntimeException e) {
            LOG.warn("Could not return a delivery status report for {} to {}", bounced, mail.envelopeFrom(), e);
        }
    }
}
