package io.mailgateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the TLS client context for the relay (and the gateway's other TLS clients): the JVM's trusted CAs plus,
 * optionally, the certificates of one PEM file (a private CA or the server's own self-signed certificate). Chains
 * are always validated.
 */
public final class RelayTrust {

    private RelayTrust() {
    }

    public static SSLSocketFactory socketFactory(Path extraCaFile) {
        return sslContext(extraCaFile, "SMTP_TRUST_CA_FILE").getSocketFactory();
    }

    /**
     * @param extraCaFile PEM file of further CAs to trust, or null for the JVM's alone
     * @param setting     the variable that names the file, for messages
     */
    public static SSLContext sslContext(Path extraCaFile, String setting) {
        try {
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(extraCaFile == null ? null : withExtraCertificates(extraCaFile, setting));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot set up TLS trust from " + setting + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore withExtraCertificates(Path pemFile, String setting)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int index = 0;
        for (X509Certificate certificate : jvmDefaultCertificates()) {
            store.setCertificateEntry("jvm-" + index++, certificate);
        }
        Collection<? extends Certificate> extra;
        try (InputStream in = Files.newInputStream(pemFile)) {
            extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (extra.isEmpty()) {
            throw new IllegalStateException(setting + " " + pemFile + " holds no certificate");
        }
        for (Certificate certificate : extra) {
            store.setCertificateEntry("extra-" + index++, certificate);
        }
        return store;
    }

    private static X509Certificate[] jvmDefaultCertificates() throws GeneralSecurityException {
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        for (var manager : defaults.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }
}
