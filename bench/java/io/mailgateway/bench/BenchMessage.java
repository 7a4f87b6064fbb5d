package io.mailgateway.bench;

import java.util.Date;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * The one mail every contender sends: inline subject, text and HTML (about 2 KB in all) to one recipient, as a
 * gateway request and as the equivalent MIME message for the clients that talk SMTP directly.
 */
final class BenchMessage {

    static final String FROM = "bench@gw.test";
    static final String SENDER_DOMAIN = "gw.test";
    /** Postfix's benchmark set-up discards mail for sink.test instead of storing it. */
    static final String TO = "load@sink.test";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARAGRAPH = "Thank you for your order. We are packing it now and will send you another"
            + " message with the tracking number as soon as the parcel has left our warehouse. ";
    static final String TEXT = "Hello,\n\n" + PARAGRAPH.repeat(5) + "\n\nKind regards\nThe shop team\n";
    static final String HTML = "<html><body><p>Hello,</p><p>" + PARAGRAPH.repeat(5)
            + "</p><p>Kind regards<br>The shop team</p></body></html>";

    private BenchMessage() {
    }

    static String subject(String id) {
        return "Your order " + id;
    }

    /** A mail request v1 with inline content. */
    static String requestJson(String id) {
        ObjectNode request = JSON.createObjectNode()
                .put("id", id)
                .put("from", FROM)
                .put("subject", subject(id))
                .put("text", TEXT)
                .put("html", HTML);
        request.putArray("to").add(TO);
        return request.toString();
    }

    /** What the gateway composes from {@link #requestJson}: multipart/alternative with a text and an HTML part. */
    static MimeMessage mimeMessage(Session session, String id) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(FROM));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(TO));
        message.setSubject(subject(id), "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart text = new MimeBodyPart();
        text.setText(TEXT, "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(HTML, "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }
}
