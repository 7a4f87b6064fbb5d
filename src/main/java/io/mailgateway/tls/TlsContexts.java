package io.mailgateway.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds TLS contexts from keys and certificates held in memory, so no key store file or password is needed. */
public final class TlsContexts {

    /** The stores never leave memory, so their entries need no password. */
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /** A server context presenting the chain, leaf first. */
    public static SSLContext server(PrivateKey key, List<X509Certificate> chain) {
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("server", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server TLS context", e);
        }
    }

    /** A client context trusting exactly these certificates, the JVM's CAs not among them. */
    public static SSLContext trustingOnly(Collection<X509Certificate> certificates) {
        try {
            return trusting(trustStore(certificates));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a client TLS context", e);
        }
    }

    /** A client context trusting exactly the certificates of one PEM file, as a client given only a CA file does. */
    public static SSLContext trustingOnly(Path caPemFile) {
        try {
            return trustingOnly(Pem.readCertificates(caPemFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + caPemFile, e);
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot read the certificates of " + caPemFile, e);
        }
    }

    static SSLContext trusting(KeyStore trustStore) throws GeneralSecurityException {
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }

    static KeyStore trustStore(Collection<X509Certificate> certificates) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        int index = 0;
        for (X509Certificate certificate : certificates) {
            store.setCertificateEntry("trusted-" + index++, certificate);
        }
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        return store;
    }
}
