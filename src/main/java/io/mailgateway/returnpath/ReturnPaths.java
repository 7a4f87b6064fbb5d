package io.mailgateway.returnpath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.util.encoders.Base32;

import io.mailgateway.kafka.CompactedTopicFollower;

/**
 * VERP return paths: the envelope sender of each recipient's copy is {@code bounces+TOKEN@BOUNCE_DOMAIN}, where the
 * token names the request and, keyed with a secret, proves which recipient it was sent to. A bounce addressed to it
 * maps back to the request and recipient without reading the bounce's text, and a forged bounce cannot name anyone.
 *
 * <p>The token is the request id's 64-bit hash (the one the completed-request index looks results up by) and an
 * 80-bit HMAC-SHA-256 tag over the id and the recipient, in lower-case base32: 29 characters, safe in a local part
 * even where a mail server folds its case.
 */
public final class ReturnPaths {

    /** The local part before the token; with {@code +} as recipient delimiter it lands in the "bounces" mailbox. */
    public static final String LOCAL_PART = "bounces";
    /** Fewest bytes of key the secret file must hold: HMAC-SHA-256 takes a 256-bit key. */
    public static final int MIN_SECRET_BYTES = 32;
    private static final int HASH_BYTES = 8;
    private static final int TAG_BYTES = 10;
    private static final Pattern ADDRESS = Pattern.compile(
            "(?i)^<?" + LOCAL_PART + "\\+([a-z2-7]{29})@([^>\\s]+)>?$");

    private final SecretKeySpec key;
    private final String domain;

    private ReturnPaths(SecretKeySpec key, String domain) {
        this.key = key;
        this.domain = domain;
    }

    /** VERP off: the relay's or message's usual envelope sender is used. */
    public static ReturnPaths off() {
        return new ReturnPaths(null, null);
    }

    /**
     * Return paths under {@code domain} (null: only for tenants that name their own bounce domain), with the key in
     * {@code secretFile}. The file's content never appears in a message.
     */
    public static ReturnPaths load(Path secretFile, String domain) {
        byte[] secret;
        try {
            secret = Files.readAllBytes(secretFile);
        } catch (IOException e) {
            throw new IllegalStateException("the bounce secret file " + secretFile + " cannot be read: "
                    + e.getClass().getSimpleName());
        }
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalStateException("the bounce secret file " + secretFile + " must hold at least "
                    + MIN_SECRET_BYTES + " bytes but holds " + secret.length);
        }
        return of(secret, domain);
    }

    /** Return paths keyed with {@code secret} (at least 32 bytes). */
    public static ReturnPaths of(byte[] secret, String domain) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a bounce secret must hold at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new ReturnPaths(new SecretKeySpec(secret, "HmacSHA256"),
                domain == null || domain.isBlank() ? null : domain.trim().toLowerCase(Locale.ROOT));
    }

    /** Whether any mail can get a VERP return path (a secret is set). */
    public boolean enabled() {
        return key != null;
    }

    /**
     * The envelope sender for {@code recipient}'s copy of request {@code requestId}, under the tenant's bounce domain
     * when it names one, else the gateway's; empty when VERP is off for it.
     */
    public Optional<String> returnPath(String requestId, String recipient, String tenantBounceDomain) {
        String under = tenantBounceDomain != null ? tenantBounceDomain : domain;
        if (key == null || under == null) {
            return Optional.empty();
        }
        ByteBuffer token = ByteBuffer.allocate(HASH_BYTES + TAG_BYTES);
        token.putLong(CompactedTopicFollower.hash(requestId));
        token.put(tag(requestId, recipient));
        return Optional.of(LOCAL_PART + "+" + encode(token.array()) + "@" + under);
    }

    /** The token of an address this gateway made, unchecked; empty for any other address. */
    public Optional<Token> parse(String address) {
        if (key == null || address == null) {
            return Optional.empty();
        }
        Matcher matcher = ADDRESS.matcher(address.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        ByteBuffer token = ByteBuffer.wrap(decode(matcher.group(1)));
        long hash = token.getLong();
        byte[] tag = new byte[TAG_BYTES];
        token.get(tag);
        return Optional.of(new Token(hash, tag));
    }

    /** Whether {@code token} was made by this gateway's key for {@code recipient} of request {@code requestId}. */
    public boolean matches(Token token, String requestId, String recipient) {
        return token.requestIdHash() == CompactedTopicFollower.hash(requestId)
                && MessageDigest.isEqual(token.tag, tag(requestId, recipient));
    }

    private byte[] tag(String requestId, String recipient) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] full = mac.doFinal(("return-path\n" + requestId + "\n" + recipient.toLowerCase(Locale.ROOT))
                    .getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(full, TAG_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String encode(byte[] bytes) {
        return Base32.toBase32String(bytes).replace("=", "").toLowerCase(Locale.ROOT);
    }

    private static byte[] decode(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        return Base32.decode(upper + "=".repeat((8 - upper.length() % 8) % 8));
    }

    /**
     * A return path's token: the request id's 64-bit hash (to find the request) and its tag (to prove the
     * recipient).
     */
    public record Token(long requestIdHash, byte[] tag) {

        @Override
        public String toString() {
            return "Token[" + Long.toHexString(requestIdHash) + "]";
        }
    }
}
