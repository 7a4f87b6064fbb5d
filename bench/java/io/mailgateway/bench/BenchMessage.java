package io.mailgateway.bench;

import java.util.Base64;
import java.util.Date;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * The mails the contenders send, as gateway requests and as the equivalent MIME messages for the clients that talk
 * SMTP directly: the {@linkplain Kind#INLINE inline} mail (subject, text and HTML given in the request, about 2 KB, one
 * recipient) and the {@linkplain Kind#ATTACHMENT attachment} mail (a bundled template in a locale with a fallback,
 * plus a 100 KB attachment).
 */
final class BenchMessage {

    static final String FROM = "bench@gw.test";
    static final String SENDER_DOMAIN = "gw.test";
    /** Postfix's benchmark set-up discards mail for sink.test instead of storing it. */
    static final String TO = "load@sink.test";

    /** Attachment size of the {@link Kind#ATTACHMENT} mail. */
    static final int ATTACHMENT_BYTES = 100 * 1024;
    /** A bundled template with a German variant: "de-AT" falls back to it. */
    static final String TEMPLATE = "order-confirmation";
    static final String LOCALE = "de-AT";

    /** Which mail a scenario sends. */
    enum Kind {
        INLINE, ATTACHMENT
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARAGRAPH = "Thank you for your order. We are packing it now and will send you another"
            + " message with the tracking number as soon as the parcel has left our warehouse. ";
    static final String TEXT = "Hello,\n\n" + PARAGRAPH.repeat(5) + "\n\nKind regards\nThe shop team\n";
    static final String HTML = "<html><body><p>Hello,</p><p>" + PARAGRAPH.repeat(5)
            + "</p><p>Kind regards<br>The shop team</p></body></html>";

    /** Incompressible and the same in every run: random bytes from a fixed seed, as a PDF would be. */
    private static final byte[] ATTACHMENT = attachment();
    private static final String ATTACHMENT_BASE64 = Base64.getEncoder().encodeToString(ATTACHMENT);

    private BenchMessage() {
    }

    private static byte[] attachment() {
        byte[] bytes = new byte[ATTACHMENT_BYTES];
        new Random(16).nextBytes(bytes);
        return bytes;
    }

    static String requestJson(String id, Kind kind) {
        return kind == Kind.INLINE ? requestJson(id) : templatedRequestJson(id);
    }

    static MimeMessage mimeMessage(Session session, String id, Kind kind) throws MessagingException {
        return kind == Kind.INLINE ? mimeMessage(session, id) : attachmentMimeMessage(session, id);
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
        message.setContent(alternative());
        message.saveChanges();
        return message;
    }

    private static MimeMultipart alternative() throws MessagingException {
        MimeBodyPart text = new MimeBodyPart();
        text.setText(TEXT, "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(HTML, "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        return alternative;
    }

    /**
     * A mail request v1 naming the bundled order confirmation template in locale de-AT (rendered from its German
     * variant) with the data it needs, and a 100 KB PDF attachment.
     */
    static String templatedRequestJson(String id) {
        ObjectNode request = JSON.createObjectNode()
                .put("id", id)
                .put("from", FROM)
                .put("template", TEMPLATE)
                .put("locale", LOCALE);
        request.putArray("to").add(TO);
        ObjectNode data = request.putObject("data");
        data.putObject("brand").put("name", "Acme Shop").put("url", "https://shop.example.com");
        data.put("name", "Jane Doe");
        ObjectNode order = data.putObject("order").put("no", id).put("total", "64.80 EUR");
        order.putArray("items")
                .add(JSON.createObjectNode().put("name", "Coffee beans, 1 kg").put("qty", 2).put("price", "39.80 EUR"))
                .add(JSON.createObjectNode().put("name", "Ceramic mug").put("qty", 1).put("price", "25.00 EUR"));
        request.putArray("attachments").addObject()
                .put("filename", "invoice.pdf")
                .put("contentType", "application/pdf")
                .put("contentBase64", ATTACHMENT_BASE64);
        return request.toString();
    }

    /**
     * About what the gateway composes from {@link #templatedRequestJson}: multipart/mixed with a text and HTML
     * alternative (the inline mail's, of the rendered template's size) and the same 100 KB attachment, base64
     * encoded. The attachment makes up almost all of the message.
     */
    static MimeMessage attachmentMimeMessage(Session session, String id) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(FROM));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(TO));
        message.setSubject(subject(id), "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart body = new MimeBodyPart();
        body.setContent(alternative());
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(ATTACHMENT, "application/pdf")));
        attachment.setFileName("invoice.pdf");
        attachment.setDisposition(MimeBodyPart.ATTACHMENT);
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        mixed.addBodyPart(attachment);
        message.setContent(mixed);
        message.saveChanges();
        return message;
    }
}
