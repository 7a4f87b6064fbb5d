package io.mailgateway.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;

import io.mailgateway.tls.Certificates;
import io.mailgateway.tls.Pem;
import io.mailgateway.tls.TlsContexts;

/** Creates a fresh self-signed TLS certificate for {@code localhost}, with its key, for the local SMTP server. */
public final class LocalCertificate {

    private static final String ALIAS = "localhost";
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final Path keyStoreFile;
    private final Path caPemFile;
    private SSLContext serverSslContext;

    private LocalCertificate(KeyPair keyPair, X509Certificate certificate, Path keyStoreFile, Path caPemFile) {
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.keyStoreFile = keyStoreFile;
        this.caPemFile = caPemFile;
    }

    /** A certificate for localhost (DNS:localhost, IP:127.0.0.1), valid for 30 days. */
    public static LocalCertificate create(Path dir) {
        return generate(dir, List.of("localhost", "127.0.0.1"));
    }

    /** A certificate valid only for a name no client connects to, to test that hostname checks bite. */
    public static LocalCertificate createForOtherHost(Path dir) {
        return generate(dir, List.of("other-host.invalid"));
    }

    public synchronized SSLContext serverSslContext() {
        if (serverSslContext == null) {
            serverSslContext = TlsContexts.server(keyPair.getPrivate(), List.of(certificate));
        }
        return serverSslContext;
    }

    /** The certificate in PEM form, for clients to trust as a CA file. */
    public Path caPemFile() {
        return caPemFile;
    }

    /** The PKCS12 key store holding the private key; its password stays inside this object. */
    public Path keyStoreFile() {
        return keyStoreFile;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    private static LocalCertificate generate(Path dir, List<String> hostNames) {
        KeyPair keyPair = Certificates.rsaKeyPair(2048);
        X509Certificate certificate = Certificates.selfSignedServerCertificate(keyPair, Instant.now(), VALIDITY,
                hostNames);
        try {
            Files.createDirectories(dir);
            Path keyStore = writeKeyStore(dir.resolve(ALIAS + ".p12"), keyPair, certificate, randomPassword());
            Path pem = Pem.write(dir.resolve(ALIAS + ".pem"), certificate);
            return new LocalCertificate(keyPair, certificate, keyStore, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write the key store", e);
        }
    }

    /** A PKCS12 key store of this key and certificate with the caller's password, for servers that only take one. */
    public Path writeKeyStore(Path file, char[] password) {
        try {
            return writeKeyStore(file, keyPair, certificate, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write the key store", e);
        }
    }

    /** Kept on disk for tools that want a key store; its password is random and never leaves this class. */
    private static Path writeKeyStore(Path file, KeyPair keyPair, X509Certificate certificate, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, keyPair.getPrivate(), password, new X509Certificate[] {certificate});
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }
}
