package io.mailgateway.suppress;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Signs and verifies the tokens of one-click unsubscribe URLs. A token names a tenant and a recipient address
 * (normalised) and when it was issued, followed by an HMAC-SHA256 of exactly that, so the unsubscribe endpoint
 * needs no stored state and nobody without the secret can unsubscribe an address of their choosing. Tokens do not
 * expire: an unsubscribe link must keep working as long as the mail is read; replacing the secret voids them all.
 */
public final class UnsubscribeTokens {

    /** Shorter secrets are refused: an HMAC key should have at least as many bits as its hash output. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public UnsubscribeTokens(String secret) {
        byte[] bytes = secret == null ? new byte[0] : secret.strip().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            // The length only: the secret itself never goes into a message.
            throw new IllegalArgumentException("the unsubscribe secret must be at least " + MIN_SECRET_BYTES
                    + " bytes long, but has " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /**
     * What a valid token says.
     *
     * @param requestId the request whose mail carried the link; null in tokens issued before links named it
     */
    public record Claims(String tenant, String address, Instant issuedAt, String requestId) { }

    /** Why a token was refused. */
    public static final class InvalidTokenException extends RuntimeException {

        private final boolean malformed;

        InvalidTokenException(String message, boolean malformed) {
            super(message, null, false, false);
            this.malformed = malformed;
        }

        /** True when the token is not a token at all; false when it is well formed but its signature is wrong. */
        public boolean malformed() {
            return malformed;
        }
    }

    /** A URL-safe token for this tenant and recipient. */
    public String sign(String tenant, String address, Instant issuedAt) {
        return sign(tenant, address, issuedAt, null);
    }

    /** A URL-safe token for this tenant and recipient of request {@code requestId}, which the unsubscribe event names. */
    public String sign(String tenant, String address, Instant issuedAt, String requestId) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("t", tenant);
        claims.put("a", Suppression.normalize(address));
        claims.put("iat", issuedAt.getEpochSecond());
        if (requestId != null) {
            claims.put("r", requestId);
        }
        byte[] payload;
        try {
            payload = JSON.writeValueAsBytes(claims);
        } catch (Exception e) {
            throw new IllegalStateException("claims of strings and a number are always JSON", e);
        }
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
    }

    /**
     * The claims of a token this gateway signed.
     *
     * @throws InvalidTokenException when the token is malformed or its signature does not match
     */
    public Claims verify(String token) {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("token: missing", true);
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
            throw new InvalidTokenException("token: not a token", true);
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            signature = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("token: not a token", true);
        }
        // Compared in constant time, so the time taken reveals nothing about the right signature.
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            throw new InvalidTokenException("token: signature does not match", false);
        }
        try {
            JsonNode claims = JSON.readTree(payload);
            String tenant = claims.path("t").isTextual() ? claims.get("t").asText() : null;
            String address = claims.path("a").asText("");
            if (!address.contains("@") || !claims.path("iat").canConvertToLong()) {
                throw new InvalidTokenException("token: incomplete", true);
            }
            String requestId = claims.path("r").isTextual() ? claims.get("r").asText() : null;
            return new Claims(tenant, address, Instant.ofEpochSecond(claims.get("iat").asLong()), requestId);
        } catch (InvalidTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidTokenException("token: incomplete", true);
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "UnsubscribeTokens[HMAC-SHA256]";
    }
}
