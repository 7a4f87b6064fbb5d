package io.mailgateway.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.mail.MessagingException;

import io.mailgateway.mime.OutboundMessage;

/**
 * A composed message frozen as the bytes its signatures cover, with the DKIM-Signature header fields on top.
 */
// Parsed from the composed message's bytes, it writes them again unchanged (MimeMessage writes a parsed message's
// header lines and raw body as read). Any change would break the signatures, so changes are refused.
final class SignedMessage extends OutboundMessage {

    /** What SMTPTransport leaves out of every message it sends. */
    private static final String[] NOT_SENT = {"Bcc", "Content-Length"};

    private byte[] signatures = new byte[0];

    SignedMessage(OutboundMessage composed) throws MessagingException {
        super(composed);
    }

    /** The bytes a relay receives, signatures aside. */
    byte[] bytesSent() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            super.writeTo(out, NOT_SENT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException("The composed message cannot be written", e);
        }
        return out.toByteArray();
    }

    void putOnTop(List<String> signatureFields) {
        signatures = String.join("", signatureFields).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
        out.write(signatures);
        super.writeTo(out, ignoreList);
    }

    // Saving again would encode the body anew; there is nothing left to save.
    @Override
    public void saveChanges() {
    }

    @Override
    public void setHeader(String name, String value) {
        throw changed();
    }

    @Override
    public void addHeader(String name, String value) {
        throw changed();
    }

    @Override
    public void removeHeader(String name) {
        throw changed();
    }

    private static IllegalStateException changed() {
        return new IllegalStateException("A DKIM-signed message cannot change: it would no longer verify");
    }
}
