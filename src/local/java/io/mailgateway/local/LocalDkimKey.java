package io.mailgateway.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

import io.mailgateway.tls.Certificates;
import io.mailgateway.tls.Pem;

/**
 * Local mode's DKIM key for one From domain, made on the first run and kept, so that the DNS record printed once
 * stays the one to publish.
 *
 * @param keysDir   the folder GATEWAY_DKIM_KEYS_DIR names; the key is {@code keysDir/DOMAIN/SELECTOR.pem}
 * @param publicKey the public half, for the DNS record
 */
public record LocalDkimKey(Path keysDir, String domain, String selector, PublicKey publicKey) {

    /** The key in {@code keysDir/domain/selector.pem}, generated (RSA 2048, PKCS#8 PEM) unless it is there. */
    public static LocalDkimKey createOrLoad(Path keysDir, String domain, String selector) {
        Path file = keysDir.resolve(domain).resolve(selector + ".pem");
        try {
            if (!Files.exists(file)) {
                KeyPair pair = Certificates.rsaKeyPair(2048);
                Files.createDirectories(file.getParent());
                Path written = Pem.write(file, pair.getPrivate());
                Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
                return new LocalDkimKey(keysDir, domain, selector, pair.getPublic());
            }
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) Pem.readPrivateKey(file);
            PublicKey publicKey = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
            return new LocalDkimKey(keysDir, domain, selector, publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make or read the local DKIM key " + file, e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalStateException(file + " is not an RSA private key: delete it to get a new one", e);
        }
    }

    /** The TXT record receivers would look up, in zone file form. */
    public String dnsRecord() {
        return selector + "._domainkey." + domain + ". IN TXT \"v=DKIM1; k=rsa; p="
                + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + "\"";
    }
}
