package io.mailgateway.local;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.eclipse.angus.mail.dsn.MessageHeaders;
import org.eclipse.angus.mail.dsn.MultipartReport;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;

/**
 * RFC 3464 reports of a failed delivery, as the recipient's server's MTA returns them to the envelope sender: the
 * kind of mail the gateway's bounce intake reads.
 */
public final class DeliveryStatusReports {

    private DeliveryStatusReports() {
    }

    /**
     * A report that delivery to these recipients of the mail failed permanently (5.1.1, no such user), addressed to
     * the mail's envelope sender, with the mail's header as text/rfc822-headers.
     *
     * @param reportingMta the host name of the MTA that gave up, e.g. {@code localhost}
     * @param remoteMta    the host name of the server that refused the recipients
     */
    public static MimeMessage userUnknown(ReceivedMail mail, List<String> recipients, String reportingMta,
            String remoteMta) throws MessagingException {
        DeliveryStatus status = new DeliveryStatus();
        InternetHeaders perMessage = new InternetHeaders();
        perMessage.addHeader("Reporting-MTA", "dns; " + reportingMta);
        perMessage.addHeader("Arrival-Date", new MailDateFormat().format(new Date()));
        status.setMessageDSN(perMessage);
        StringBuilder text = new StringBuilder("""
                This is the mail system at host %s.

                I'm sorry to have to inform you that your message could not be delivered to one or more
                recipients. It's attached below.

                """.formatted(reportingMta));
        for (String recipient : recipients) {
            String diagnostic = "550 5.1.1 <" + recipient + ">: Recipient address rejected: User unknown";
            InternetHeaders perRecipient = new InternetHeaders();
            perRecipient.addHeader("Final-Recipient", "rfc822; " + recipient);
            perRecipient.addHeader("Original-Recipient", "rfc822; " + recipient);
            perRecipient.addHeader("Action", "failed");
            perRecipient.addHeader("Status", "5.1.1");
            perRecipient.addHeader("Remote-MTA", "dns; " + remoteMta);
            perRecipient.addHeader("Diagnostic-Code", "smtp; " + diagnostic);
            status.addRecipientDSN(perRecipient);
            text.append("<").append(recipient).append(">: host ").append(remoteMta).append(" said: ")
                    .append(diagnostic).append("\n");
        }
        InternetHeaders returned = new InternetHeaders(new ByteArrayInputStream(mail.raw()));
        MultipartReport multipart = new MultipartReport(text.toString(), status, returned);
        multipart.getBodyPart(2).setContent(new ReturnedHeaders(returned), "text/rfc822-headers");

        MimeMessage report = new MimeMessage(Session.getInstance(new Properties()));
        report.setFrom(new InternetAddress("Mail Delivery System <MAILER-DAEMON@" + reportingMta + ">"));
        report.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(mail.envelopeFrom()));
        // as a mail server's local delivery records the envelope recipient the report came to
        report.setHeader("X-Original-To", mail.envelopeFrom());
        report.setHeader("Auto-Submitted", "auto-replied");
        report.setSubject("Undelivered Mail Returned to Sender");
        report.setSentDate(new Date());
        report.setContent(multipart);
        report.saveChanges();
        return report;
    }

    /** The returned mail's header exactly as received: Angus's own would write a new Message-ID into it. */
    private static final class ReturnedHeaders extends MessageHeaders {

        ReturnedHeaders(InternetHeaders headers) throws MessagingException {
            super(headers);
        }

        @Override
        protected void updateHeaders() {
        }
    }
}
