package io.mailgateway.dkim;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.util.Base64;

/**
 * One signing key of the keys directory: the domain and selector its file names, and the public half to publish.
 *
 * @param file      where the key was read from (DOMAIN/SELECTOR.pem)
 * @param modified  the file's modification time: the newest key of an algorithm signs for its domain
 * @param publicKey the public key as DKIM publishes it in {@code p=}: SubjectPublicKeyInfo for RSA, the raw 32
 *                  bytes for Ed25519 (RFC 8463)
 */
public record DkimKey(String domain, String selector, Algorithm algorithm, Path file, FileTime modified,
        PrivateKey privateKey, byte[] publicKey) {

    /** The two algorithms DKIM signs with today. */
    public enum Algorithm {
        RSA("rsa", "rsa-sha256"), ED25519("ed25519", "ed25519-sha256");

        private final String keyType;
        private final String signatureAlgorithm;

        Algorithm(String keyType, String signatureAlgorithm) {
            this.keyType = keyType;
            this.signatureAlgorithm = signatureAlgorithm;
        }

        /** The {@code k=} of the DNS record. */
        public String keyType() {
            return keyType;
        }

        /** The {@code a=} of the signature. */
        public String signatureAlgorithm() {
            return signatureAlgorithm;
        }
    }

    public DkimKey {
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Where the DNS record goes: {@code SELECTOR._domainkey.DOMAIN}. */
    public String dnsName() {
        return selector + "._domainkey." + domain;
    }

    /** The TXT record to publish at {@link #dnsName()}. */
    public String dnsRecord() {
        return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(publicKey);
    }

    // The private key must never reach a log, a result or an exception message.
    @Override
    public String toString() {
        return "DkimKey[" + algorithm.keyType() + " " + dnsName() + " from " + file + "]";
    }
}
