package io.mailgateway.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Creates a fresh self-signed TLS certificate for {@code localhost} with the JDK's own keytool. */
public final class LocalCertificate {

    private static final String ALIAS = "localhost";
    private static final String PASSWORD_ENV = "LOCAL_CERTIFICATE_STORE_PASSWORD";

    private final Path keyStoreFile;
    private final Path caPemFile;
    private final char[] password;
    private final X509Certificate certificate;
    private SSLContext serverSslContext;

    private LocalCertificate(Path keyStoreFile, Path caPemFile, char[] password, X509Certificate certificate) {
        this.keyStoreFile = keyStoreFile;
        this.caPemFile = caPemFile;
        this.password = password;
        this.certificate = certificate;
    }

    /** A certificate for localhost (DNS:localhost, IP:127.0.0.1), valid for 30 days. */
    public static LocalCertificate create(Path dir) {
        return generate(dir, "localhost", "dns:localhost,ip:127.0.0.1");
    }

    /** A certificate valid only for a name no client connects to, to test that hostname checks bite. */
    public static LocalCertificate createForOtherHost(Path dir) {
        return generate(dir, "other-host.invalid", "dns:other-host.invalid");
    }

    public synchronized SSLContext serverSslContext() {
        if (serverSslContext == null) {
            serverSslContext = loadServerSslContext();
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

    private static LocalCertificate generate(Path dir, String commonName, String subjectAltNames) {
        try {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve(ALIAS + ".p12");
            Path pem = dir.resolve(ALIAS + ".pem");
            // keytool refuses to add a second key under the same alias
            Files.deleteIfExists(keyStore);

            char[] password = randomPassword();
            runKeytool(dir, password, List.of(
                    "-genkeypair", "-noprompt",
                    "-alias", ALIAS,
                    "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
                    "-validity", "30",
                    "-dname", "CN=" + commonName,
                    "-ext", "SAN=" + subjectAltNames,
                    "-ext", "EKU=serverAuth",
                    "-storetype", "PKCS12",
                    "-keystore", keyStore.toString(),
                    "-storepass:env", PASSWORD_ENV));

            X509Certificate certificate = (X509Certificate) load(keyStore, password).getCertificate(ALIAS);
            Files.writeString(pem, toPem(certificate), StandardCharsets.US_ASCII);
            return new LocalCertificate(keyStore, pem, password, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the generated key store", e);
        }
    }

    private static void runKeytool(Path dir, char[] password, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        // output goes to a file so a hanging keytool cannot block us past the timeout
        Path output = Files.createTempFile(dir, "keytool", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // passed through the environment so the password never shows up in a process listing
        builder.environment().put(PASSWORD_ENV, new String(password));
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed with exit code " + process.exitValue() + ": "
                        + new String(Files.readAllBytes(output), Charset.defaultCharset()).strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running keytool", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private SSLContext loadServerSslContext() {
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(load(keyStoreFile, password), password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build an SSLContext from " + keyStoreFile, e);
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, password);
        }
        return keyStore;
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

    private static String toPem(X509Certificate certificate) throws GeneralSecurityException {
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN CERTIFICATE-----\n"
                + encoder.encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
