package io.mailgateway.dkim;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes key files the way the README tells operators to make them with openssl. */
final class TestKeys {

    private TestKeys() {
    }

    static Path rsa(Path keysDir, String domain, String selector, int bits) {
        return write(keysDir, domain, selector, pkcs8(generate("RSA", bits)));
    }

    static Path ed25519(Path keysDir, String domain, String selector) {
        return write(keysDir, domain, selector, pkcs8(generate("Ed25519", 0)));
    }

    /** "BEGIN RSA PRIVATE KEY": the traditional format, not PKCS#8. */
    static Path rsaPkcs1(Path keysDir, String domain, String selector) {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(generate("RSA", 2048));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(keysDir, domain, selector, pem.toString());
    }

    static Path ecP256(Path keysDir, String domain, String selector) {
        return write(keysDir, domain, selector, pkcs8(generate("EC", 256)));
    }

    static Path write(Path keysDir, String domain, String selector, String content) {
        try {
            Path file = keysDir.resolve(domain).resolve(selector + ".pem");
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void modifiedAt(Path file, Instant when) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(when));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                generator.initialize(bits);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pkcs8(KeyPair pair) {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(new PemObject("PRIVATE KEY", pair.getPrivate().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pem.toString();
    }
}
