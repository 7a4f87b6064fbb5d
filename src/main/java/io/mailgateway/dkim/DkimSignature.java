package io.mailgateway.dkim;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;

import org.eclipse.angus.mail.util.CRLFOutputStream;
import org.simplejavamail.utils.mail.dkim.Canonicalization;

import io.mailgateway.dkim.DkimKey.Algorithm;

/**
 * The DKIM-Signature header field (RFC 6376, RFC 8463) of one key over a message's bytes as they go to the relay:
 * relaxed/relaxed, with every signed header field named once more than it occurs (oversigned), so that a copy added
 * on the way breaks the signature.
 */
// The canonical forms come from utils-mail-dkim. Its DkimSigner cannot oversign (h= lists only the fields present)
// and looks the key up in DNS before each signature, so the tags and the signing are put together here.
final class DkimSignature {

    /** The fields a reader sees or a client acts on; Bcc is never sent and so never signed. */
    static final List<String> SIGNED_FIELDS = List.of("From", "To", "Cc", "Subject", "Date", "Message-ID",
            "Reply-To", "MIME-Version", "Content-Type", "List-Unsubscribe", "List-Unsubscribe-Post");

    private static final Canonicalization RELAXED = Canonicalization.RELAXED;
    private static final int LINE = 72;

    private DkimSignature() {
    }

    /**
     * The header field, ending in CRLF, to put on top of {@code message}.
     *
     * @param message the message exactly as the relay gets it (header fields, an empty line, the body)
     */
    static String sign(DkimKey key, byte[] message, Instant now) {
        int bodyStart = bodyStart(message);
        InternetHeaders fields = fields(message, bodyStart);
        StringBuilder signedFields = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (String name : SIGNED_FIELDS) {
            String[] values = fields.getHeader(name);
            int present = values == null ? 0 : values.length;
            // A verifier takes repeated fields from the bottom up; the extra name stands for "no further copy".
            for (int i = present - 1; i >= 0; i--) {
                signedFields.append(RELAXED.canonicalizeHeader(name, values[i])).append("\r\n");
            }
            for (int i = 0; i <= present; i++) {
                names.add(name.toLowerCase(java.util.Locale.ROOT));
            }
        }
        String value = "v=1; a=" + key.algorithm().signatureAlgorithm() + "; c=relaxed/relaxed; d=" + key.domain()
                + "; s=" + key.selector() + ";\r\n\tt=" + now.getEpochSecond() + "; h=" + folded(names)
                + ";\r\n\tbh=" + base64(sha256(canonicalBody(message, bodyStart))) + ";\r\n\tb=";
        signedFields.append(RELAXED.canonicalizeHeader("DKIM-Signature", value));
        byte[] signature = signature(key, signedFields.toString().getBytes(ISO_8859_1));
        return "DKIM-Signature: " + value + foldedBase64(base64(signature)) + "\r\n";
    }

    private static byte[] signature(DkimKey key, byte[] signedFields) {
        try {
            Signature signer;
            byte[] input;
            if (key.algorithm() == Algorithm.RSA) {
                signer = Signature.getInstance("SHA256withRSA");
                input = signedFields;
            } else {
                // RFC 8463: Ed25519 signs the SHA-256 hash of the header fields, not the fields themselves.
                signer = Signature.getInstance("Ed25519");
                input = sha256(signedFields);
            }
            signer.initSign(key.privateKey());
            signer.update(input);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DKIM signing with " + key + " failed: " + e.getClass().getSimpleName());
        }
    }

    private static int bodyStart(byte[] message) {
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return i + 4;
            }
        }
        return message.length;
    }

    private static InternetHeaders fields(byte[] message, int bodyStart) {
        try {
            return new InternetHeaders(new ByteArrayInputStream(message, 0, bodyStart));
        } catch (MessagingException e) {
            throw new IllegalStateException("The composed message has unreadable header fields", e);
        }
    }

    // The relay gets every line ended by CRLF (Angus's SMTP stream turns a bare CR or LF into CRLF); the body is
    // canonicalised as it will arrive. Latin-1 keeps every byte as one char and back.
    private static byte[] canonicalBody(byte[] message, int bodyStart) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream(message.length - bodyStart + 64);
        try (CRLFOutputStream crlf = new CRLFOutputStream(lines)) {
            crlf.write(message, bodyStart, message.length - bodyStart);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RELAXED.canonicalizeBody(lines.toString(ISO_8859_1)).getBytes(ISO_8859_1);
    }

    private static String folded(List<String> names) {
        StringBuilder h = new StringBuilder();
        int line = 0;
        for (String name : names) {
            if (h.length() > 0) {
                h.append(':');
                if (line + name.length() > LINE - 10) {
                    h.append("\r\n\t");
                    line = 0;
                }
            }
            h.append(name);
            line += name.length() + 1;
        }
        return h.toString();
    }

    private static String foldedBase64(String value) {
        StringBuilder folded = new StringBuilder();
        for (int i = 0; i < value.length(); i += LINE) {
            if (i > 0) {
                folded.append("\r\n\t ");
            }
            folded.append(value, i, Math.min(value.length(), i + LINE));
        }
        return folded.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
