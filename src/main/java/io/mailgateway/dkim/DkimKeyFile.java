package io.mailgateway.dkim;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

import io.mailgateway.dkim.DkimKey.Algorithm;

/** Reads one DOMAIN/SELECTOR.pem file of the keys directory into a signing key, or says why it cannot sign. */
final class DkimKeyFile {

    static final int MIN_RSA_BITS = 2048;

    private DkimKeyFile() {
    }

    /**
     * The key in {@code file}, which must hold one unencrypted PKCS#8 private key ("BEGIN PRIVATE KEY"): RSA of at
     * least 2048 bits, or Ed25519.
     *
     * @throws InvalidDkimKeyException naming the file and the problem, never the file's content
     */
    static DkimKey read(Path file, String domain, String selector) {
        PrivateKeyInfo info = privateKeyInfo(file);
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        try {
            byte[] pkcs8 = info.getEncoded();
            if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
                return rsa(file, domain, selector, pkcs8);
            }
            if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
                return ed25519(file, domain, selector, info, pkcs8);
            }
        } catch (InvalidDkimKeyException e) {
            throw e;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // The cause may quote key material: it stays out of the message and the chain.
            throw new InvalidDkimKeyException(file, "is not a readable RSA or Ed25519 PKCS#8 private key");
        }
        throw new InvalidDkimKeyException(file, "holds a key of algorithm " + algorithm.getId()
                + "; DKIM signs with RSA (2048 bits or more) or Ed25519 keys only");
    }

    private static PrivateKeyInfo privateKeyInfo(Path file) {
        Object parsed;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(reader)) {
            parsed = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw new InvalidDkimKeyException(file, "cannot be read as a PEM file");
        }
        if (parsed instanceof PrivateKeyInfo info) {
            return info;
        }
        if (parsed instanceof PEMKeyPair) {
            throw new InvalidDkimKeyException(file, "holds a traditional (PKCS#1 or SEC1) key; convert it to PKCS#8 "
                    + "with: openssl pkcs8 -topk8 -nocrypt -in OLD.pem -out SELECTOR.pem");
        }
        if (parsed == null) {
            throw new InvalidDkimKeyException(file, "holds no PEM block; expected -----BEGIN PRIVATE KEY-----");
        }
        throw new InvalidDkimKeyException(file, "holds no unencrypted PKCS#8 private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static DkimKey rsa(Path file, String domain, String selector, byte[] pkcs8)
            throws IOException, GeneralSecurityException {
        KeyFactory factory = KeyFactory.getInstance("RSA");
        PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new InvalidDkimKeyException(file, "holds an RSA key without its public exponent");
        }
        int bits = crt.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw new InvalidDkimKeyException(file, "holds an RSA key of " + bits + " bits; DKIM needs at least "
                    + MIN_RSA_BITS);
        }
        byte[] publicKey = factory.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()))
                .getEncoded();
        return new DkimKey(domain, selector, Algorithm.RSA, file, Files.getLastModifiedTime(file), key, publicKey);
    }

    private static DkimKey ed25519(Path file, String domain, String selector, PrivateKeyInfo info, byte[] pkcs8)
            throws IOException, GeneralSecurityException {
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        byte[] publicKey = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        return new DkimKey(domain, selector, Algorithm.ED25519, file, Files.getLastModifiedTime(file), key,
                publicKey);
    }
}
