package io.mailgateway.mime;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Derives the Message-ID from the request id, so every attempt of one request carries the same Message-ID and
 * receivers can recognise a duplicate.
 */
public final class MessageIds {

    // Looking the algorithm up among the security providers costs more than hashing a request id: each thread keeps
    // its own digest (a digest is not thread-safe; digest() leaves it reset for the next id).
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    private MessageIds() {
    }

    /**
     * {@code <LEFT@DOMAIN>}: LEFT is a hash of the request id (ids may hold characters a Message-ID may not),
     * DOMAIN the sender's domain.
     */
    public static String forRequest(String requestId, String senderAddress) {
        // A-labels: a Message-ID is ASCII even when a configured sender domain is not.
        String domain = IDN.toASCII(senderAddress.substring(senderAddress.lastIndexOf('@') + 1)).toLowerCase(Locale.ROOT);
        return "<" + HexFormat.of().formatHex(Arrays.copyOf(sha256(requestId), 16)) + "@" + domain + ">";
    }

    private static byte[] sha256(String value) {
        return SHA_256.get().digest(value.getBytes(StandardCharsets.UTF_8));
    }
}
