package io.mailgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** A throwaway certificate authority, made with the JDK's keytool, that certifies one server key with any validity and names. */
public final class TestCa {

    private static final String PASSWORD_ENV = "TEST_CA_STORE_PASSWORD";

    private final Path dir;
    private final Path caStore;
    private final Path serverStore;
    private final Path request;
    private final Path caPemFile;
    private final char[] password;
    private final X509Certificate caCertificate;
    private final AtomicInteger issued = new AtomicInteger();

    private TestCa(Path dir, Path caStore, Path serverStore, Path request, Path caPemFile, char[] password,
            X509Certificate caCertificate) {
        this.dir = dir;
        this.caStore = caStore;
        this.serverStore = serverStore;
        this.request = request;
        this.caPemFile = caPemFile;
        this.password = password;
        this.caCertificate = caCertificate;
    }

    /** A CA certificate valid from yesterday for a year, and one server key waiting for certificates. */
    public static TestCa create(Path dir) {
        try {
            Files.createDirectories(dir);
            char[] password = randomPassword();
            Path caStore = dir.resolve("ca.p12");
            Path serverStore = dir.resolve("server.p12");
            // the two keys are independent: made side by side, as each keytool run is a JVM start
            CompletableFuture<Void> serverKey = CompletableFuture.runAsync(() -> keytool(dir, password,
                    "-genkeypair", "-noprompt", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-storetype", "PKCS12", "-keystore", serverStore.toString(),
                    "-storepass:env", PASSWORD_ENV));
            keytool(dir, password, "-genkeypair", "-noprompt", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-startdate", "-1d", "-validity", "365", "-dname", "CN=Mail Gateway Test CA",
                    "-ext", "bc:c", "-ext", "KeyUsage:critical=keyCertSign,cRLSign",
                    "-storetype", "PKCS12", "-keystore", caStore.toString(), "-storepass:env", PASSWORD_ENV);
            serverKey.join();
            Path request = dir.resolve("server.csr");
            keytool(dir, password, "-certreq", "-alias", "server", "-keystore", serverStore.toString(),
                    "-storepass:env", PASSWORD_ENV, "-file", request.toString());
            X509Certificate ca = (X509Certificate) load(caStore, password).getCertificate("ca");
            Path pem = dir.resolve("ca.pem");
            Files.writeString(pem, toPem(ca), StandardCharsets.US_ASCII);
            return new TestCa(dir, caStore, serverStore, request, pem, password, ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the CA key store", e);
        }
    }

    /** The CA certificate as PEM, for SMTP_TRUST_CA_FILE. */
    public Path caPemFile() {
        return caPemFile;
    }

    /**
     * A server context presenting a newly issued certificate for the server key, with its chain.
     *
     * @param startDate       keytool's -startdate, e.g. "-60d" (sixty days ago) or "+30d"
     * @param validityDays    how long the certificate is valid from its start date
     * @param subjectAltNames e.g. "dns:localhost,ip:127.0.0.1"
     */
    public SSLContext serverContext(String startDate, int validityDays, String subjectAltNames) {
        Path signed = dir.resolve("server-" + issued.incrementAndGet() + ".pem");
        try {
            keytool(dir, password, "-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(),
                    "-storepass:env", PASSWORD_ENV, "-infile", request.toString(), "-outfile", signed.toString(),
                    "-startdate", startDate, "-validity", String.valueOf(validityDays),
                    "-ext", "SAN=" + subjectAltNames, "-ext", "EKU=serverAuth");
            PrivateKey key = (PrivateKey) load(serverStore, password).getKey("server", password);
            Certificate certificate;
            try (InputStream in = Files.newInputStream(signed)) {
                certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore chain = KeyStore.getInstance("PKCS12");
            chain.load(null, null);
            chain.setKeyEntry("server", key, password, new Certificate[] {certificate, caCertificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(chain, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server context from " + signed, e);
        }
    }

    private static void keytool(Path dir, char[] password, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process;
        Path output;
        try {
            output = Files.createTempFile(dir, "keytool", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            // through the environment, so the password never shows in a process listing
            builder.environment().put(PASSWORD_ENV, new String(password));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + Files.readString(output).strip());
            }
            Files.deleteIfExists(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    private static char[] randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
    }

    private static String toPem(X509Certificate certificate) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
