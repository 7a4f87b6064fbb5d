package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificateTest {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    @Test
    void createsSelfSignedLocalhostCertificateAndMatchingPem(@TempDir Path dir) throws Exception {
        LocalCertificate local = LocalCertificate.create(dir);
        X509Certificate certificate = local.certificate();

        assertThat(certificate.getSubjectX500Principal()).isEqualTo(certificate.getIssuerX500Principal());
        assertThat(certificate.getSubjectAlternativeNames())
                .contains(List.of(DNS_NAME, "localhost"), List.of(IP_ADDRESS, "127.0.0.1"));
        assertThat(((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));

        try (InputStream pem = Files.newInputStream(local.caPemFile())) {
            assertThat(CertificateFactory.getInstance("X.509").generateCertificate(pem)).isEqualTo(certificate);
        }
        assertThat(local.keyStoreFile()).isRegularFile().hasParent(dir);
        assertThat(local.serverSslContext().getServerSocketFactory()).isNotNull();
    }
}
