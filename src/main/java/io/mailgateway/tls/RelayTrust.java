package io.mailgateway.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

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
            return TlsContexts.trusting(extraCaFile == null ? null : withExtraCertificates(extraCaFile, setting));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot set up TLS trust from " + setting + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore withExtraCertificates(Path pemFile, String setting)
            throws GeneralSecurityException, IOException {
        List<X509Certificate> extra = Pem.readCertificates(pemFile);
        if (extra.isEmpty()) {
            throw new IllegalStateException(setting + " " + pemFile + " holds no certificate");
        }
        List<X509Certificate> trusted = new ArrayList<>(jvmDefaultCertificates());
        trusted.addAll(extra);
        return TlsContexts.trustStore(trusted);
    }

    private static List<X509Certificate> jvmDefaultCertificates() throws GeneralSecurityException {
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        for (var manager : defaults.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return List.of(x509.getAcceptedIssuers());
            }
        }
        return List.of();
    }
}
