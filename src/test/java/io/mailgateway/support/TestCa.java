package io.mailgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.SSLContext;

import io.mailgateway.tls.Certificates;
import io.mailgateway.tls.Certificates.KeyAndCertificate;
import io.mailgateway.tls.Pem;
import io.mailgateway.tls.TlsContexts;

/** A throwaway certificate authority that certifies one server key with any validity and names. */
public final class TestCa {

    private final KeyAndCertificate ca;
    private final KeyPair serverKey;
    private final Path caPemFile;

    private TestCa(KeyAndCertificate ca, KeyPair serverKey, Path caPemFile) {
        this.ca = ca;
        this.serverKey = serverKey;
        this.caPemFile = caPemFile;
    }

    /** A CA certificate valid from yesterday for a year, and one server key waiting for certificates. */
    public static TestCa create(Path dir) {
        KeyAndCertificate ca = Certificates.certificateAuthority("Mail Gateway Test CA",
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(365));
        try {
            Files.createDirectories(dir);
            return new TestCa(ca, Certificates.ecKeyPair(), Pem.write(dir.resolve("ca.pem"), ca.certificate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA certificate as PEM, for SMTP_TRUST_CA_FILE. */
    public Path caPemFile() {
        return caPemFile;
    }

    /**
     * A server context presenting a newly issued certificate for the server key, with its chain.
     *
     * @param startsIn  when the certificate becomes valid, from now: negative for the past
     * @param validity  how long the certificate is valid from its start
     * @param hostNames DNS names and IP addresses it certifies, e.g. "localhost", "127.0.0.1"
     */
    public SSLContext serverContext(Duration startsIn, Duration validity, String... hostNames) {
        X509Certificate certificate = Certificates.serverCertificate(ca, serverKey.getPublic(),
                Instant.now().plus(startsIn), validity, List.of(hostNames));
        return TlsContexts.server(serverKey.getPrivate(), List.of(certificate, ca.certificate()));
    }
}
