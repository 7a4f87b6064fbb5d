package io.mailgateway.mime;

import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

import io.mailgateway.render.RenderedContent;
import io.mailgateway.request.Attachment;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/**
 * Turns a validated, enriched request and its rendered content into a MIME message: text and HTML as
 * multipart/alternative, attachments in multipart/mixed, UTF-8 throughout, and only the headers the request names.
 */
public final class MimeComposer {

    static {
        // Every new multipart asks Jakarta Mail for its stream provider, which otherwise scans the class path's
        // service files each time: slow, and contended between parallel sends. Naming Angus's provider skips that.
        System.getProperties().putIfAbsent("jakarta.mail.util.StreamProvider",
                "org.eclipse.angus.mail.util.MailStreamProvider");
    }

    private final Session session = Session.getInstance(new Properties());
    private final long maxMessageBytes;
    private final Clock clock;

    public MimeComposer(long maxMessageBytes, Clock clock) {
        this.maxMessageBytes = maxMessageBytes;
        this.clock = clock;
    }

    public OutboundMessage compose(MailRequest request, RenderedContent content) {
        checkSize(request, content);
        try {
            OutboundMessage message = new OutboundMessage(session, request.id(),
                    MessageIds.forRequest(request.id(), request.from().address()));
            message.setFrom(address(request.from()));
            if (request.replyTo() != null) {
                message.setReplyTo(new InternetAddress[] {address(request.replyTo())});
            }
            message.setRecipients(RecipientType.TO, addresses(request.to()));
            message.setRecipients(RecipientType.CC, addresses(request.cc()));
            message.setRecipients(RecipientType.BCC, addresses(request.bcc()));
            message.setSubject(content.subject(), "UTF-8");
            message.setSentDate(Date.from(clock.instant()));
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                message.setHeader(header.getKey(), MimeUtility.fold(header.getKey().length() + 2,
                        MimeUtility.encodeText(header.getValue(), "UTF-8", null)));
            }
            if (request.attachments().isEmpty()) {
                fillBody(message, content);
            } else {
                MimeBodyPart body = new MimeBodyPart();
                fillBody(body, content);
                MimeMultipart mixed = new MimeMultipart("mixed");
                mixed.addBodyPart(body);
                for (Attachment attachment : request.attachments()) {
                    mixed.addBodyPart(attachmentPart(attachment));
                }
                message.setContent(mixed);
            }
            message.saveChanges();
            return message;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new RequestRejectedException("invalid-request", "message: cannot be composed (" + e.getMessage() + ")",
                    request.id(), request.tags());
        }
    }

    private void checkSize(MailRequest request, RenderedContent content) {
        // An estimate before encoding: base64 grows attachments by a third, bodies are sent at most as big.
        long attachments = 0;
        for (Attachment attachment : request.attachments()) {
            attachments += (attachment.content().length + 2L) / 3 * 4;
        }
        // A character is at most three UTF-8 bytes: the bytes are counted only when that bound could pass the limit.
        long chars = length(content.subject()) + length(content.text()) + length(content.html());
        if (3 * chars + attachments <= maxMessageBytes) {
            return;
        }
        long estimate = utf8Length(content.subject()) + utf8Length(content.text()) + utf8Length(content.html())
                + attachments;
        if (estimate > maxMessageBytes) {
            throw new RequestRejectedException("too-large",
                    "message: about " + estimate + " bytes exceeds the limit of " + maxMessageBytes, request.id(), request.tags());
        }
    }

    private static long length(String value) {
        return value == null ? 0 : value.length();
    }

    // Counted, not encoded: a copy of each body just to measure it would double what a large mail takes.
    private static long utf8Length(String value) {
        if (value == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static void fillBody(MimePart part, RenderedContent content) throws MessagingException {
        if (content.text() != null && content.html() != null) {
            MimeMultipart alternative = new MimeMultipart("alternative");
            // RFC 2046: the last alternative is the preferred one.
            alternative.addBodyPart(textPart(content.text(), "plain"));
            alternative.addBodyPart(textPart(content.html(), "html"));
            part.setContent(alternative);
        } else if (content.html() != null) {
            setText(part, content.html(), "html");
        } else {
            setText(part, content.text() == null ? "" : content.text(), "plain");
        }
    }

    private static MimeBodyPart textPart(String text, String subtype) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        setText(part, text, subtype);
        return part;
    }

    private static void setText(MimePart part, String text, String subtype) throws MessagingException {
        part.setText(text, "UTF-8", subtype);
        // Named here, so that saving the message does not encode the text once more only to choose it.
        part.setHeader("Content-Transfer-Encoding", TextTransferEncoding.of(text));
    }

    private static MimeBodyPart attachmentPart(Attachment attachment) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.content(), attachment.contentType())));
        part.setFileName(attachment.filename());
        part.setDisposition(MimeBodyPart.ATTACHMENT);
        // Always base64: attachments are binary by contract, and the relay must not re-encode them.
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    private static InternetAddress address(MailAddress address) throws UnsupportedEncodingException {
        return new InternetAddress(address.address(), address.name(), "UTF-8");
    }

    private static InternetAddress[] addresses(List<MailAddress> list) throws UnsupportedEncodingException {
        if (list.isEmpty()) {
            return null;
        }
        InternetAddress[] result = new InternetAddress[list.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = address(list.get(i));
        }
        return result;
    }
}
