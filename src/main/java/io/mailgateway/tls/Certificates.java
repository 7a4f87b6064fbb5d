package io.mailgateway.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Makes keys and X.509 certificates: a certificate authority, the server certificates it signs, self-signed ones. */
public final class Certificates {

    /** A literal IPv4 or IPv6 address, which a certificate names as an address rather than a DNS name. */
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|.*:.*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /** A certificate with the key pair it certifies, enough to sign with or to serve TLS from. */
    public record KeyAndCertificate(KeyPair keyPair, X509Certificate certificate) {
    }

    /** An EC key on P-256: quick to make, accepted by every TLS client the gateway meets. */
    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an EC key pair", e);
        }
    }

    public static KeyPair rsaKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an RSA key pair", e);
        }
    }

    /** A self-signed CA certificate that may sign server certificates but no further CAs. */
    public static KeyAndCertificate certificateAuthority(String commonName, Instant notBefore, Duration validity) {
        KeyPair keyPair = ecKeyPair();
        X500Name name = name(commonName);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(name, name, keyPair.getPublic(), notBefore, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            return new KeyAndCertificate(keyPair, sign(builder, keyPair));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a CA certificate for " + commonName, e);
        }
    }

    /**
     * A server certificate for the key, signed by the CA.
     *
     * @param hostNames DNS names and IP addresses the certificate is valid for; the first is also its common name
     */
    public static X509Certificate serverCertificate(KeyAndCertificate ca, PublicKey serverKey, Instant notBefore,
            Duration validity, List<String> hostNames) {
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = serverExtensions(builder(
                    X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                    name(hostNames.get(0)), serverKey, notBefore, validity), serverKey, hostNames)
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            return sign(builder, ca.keyPair());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a server certificate for " + hostNames, e);
        }
    }

    /** A server certificate that is its own issuer, for a client to trust as its CA file. */
    public static X509Certificate selfSignedServerCertificate(KeyPair keyPair, Instant notBefore, Duration validity,
            List<String> hostNames) {
        X500Name name = name(hostNames.get(0));
        try {
            return sign(serverExtensions(builder(name, name, keyPair.getPublic(), notBefore, validity),
                    keyPair.getPublic(), hostNames), keyPair);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot make a self-signed certificate for " + hostNames, e);
        }
    }

    private static X509v3CertificateBuilder serverExtensions(X509v3CertificateBuilder builder, PublicKey serverKey,
            List<String> hostNames) throws GeneralSecurityException, CertIOException {
        GeneralName[] names = hostNames.stream()
                .map(host -> new GeneralName(IP_ADDRESS.matcher(host).matches() ? GeneralName.iPAddress
                        : GeneralName.dNSName, host))
                .toArray(GeneralName[]::new);
        return builder
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(serverKey));
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key,
            Instant notBefore, Duration validity) {
        BigInteger serial = new BigInteger(63, RANDOM);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                Date.from(notBefore.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        String algorithm = "EC".equals(signer.getPrivate().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + algorithm, e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500Name("CN=" + commonName);
    }
}
