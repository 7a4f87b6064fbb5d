package io.mailgateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Reads and writes certificates and private keys in PEM, the form CA and key files are handed around in. */
public final class Pem {

    private Pem() {
    }

    /** Every certificate of a file of certificates (PEM or DER), in file order; the JDK's parser, as a TLS client's. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
        }
    }

    /** The first private key in the file, unencrypted PKCS#8 or the older PKCS#1/SEC1 key pair form. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo key) {
                    return converter.getPrivateKey(key);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        }
        throw new IOException(file + " holds no unencrypted private key");
    }

    /** Certificates, keys (as PKCS#8) or both, each as its own PEM block. */
    public static String encode(Object... certificatesAndKeys) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : certificatesAndKeys) {
                // PKCS#8, the one key form every TLS server and tool reads
                writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode as PEM", e);
        }
        return text.toString();
    }

    /** Writes {@link #encode} of the objects to the file, replacing it. */
    public static Path write(Path file, Object... certificatesAndKeys) throws IOException {
        return Files.writeString(file, encode(certificatesAndKeys), StandardCharsets.US_ASCII);
    }
}
