package io.mailgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tls.Certificates.KeyAndCertificate;

class PemTest {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    @TempDir
    Path dir;

    @Test
    void certificatesAndKeysWrittenAsPemReadBackEqual() throws Exception {
        KeyPair keyPair = Certificates.ecKeyPair();
        X509Certificate certificate = Certificates.selfSignedServerCertificate(keyPair, Instant.now(),
                Duration.ofDays(1), List.of("localhost"));

        Path certificateFile = Pem.write(dir.resolve("server.pem"), certificate, certificate);
        Path keyFile = Pem.write(dir.resolve("server-key.pem"), keyPair.getPrivate());

        assertThat(Files.readString(certificateFile)).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(Pem.readCertificates(certificateFile)).containsExactly(certificate, certificate);
        assertThat(Pem.readPrivateKey(keyFile).getEncoded()).isEqualTo(keyPair.getPrivate().getEncoded());
    }

    @Test
    void aFileWithoutAKeyIsRefusedNamingTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("empty.pem"), "no PEM here\n");

        assertThatThrownBy(() -> Pem.readPrivateKey(file)).isInstanceOf(IOException.class)
                .hasMessage(file + " holds no unencrypted private key");
        assertThatThrownBy(() -> Pem.readCertificates(file)).isInstanceOf(CertificateException.class);
    }

    @Test
    void serverCertificatesChainToTheCaAndNameHostsAndAddresses() throws Exception {
        KeyAndCertificate ca = Certificates.certificateAuthority("Test CA", Instant.now(), Duration.ofDays(2));
        KeyPair server = Certificates.ecKeyPair();

        X509Certificate certificate = Certificates.serverCertificate(ca, server.getPublic(), Instant.now(),
                Duration.ofDays(1), List.of("localhost", "127.0.0.1"));

        certificate.verify(ca.keyPair().getPublic());
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(List.of(DNS_NAME, "localhost"), List.of(IP_ADDRESS, "127.0.0.1"));
        assertThat(ca.certificate().getBasicConstraints()).isZero();
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
    }
}
