package io.mailgateway.senderchecks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

import io.mailgateway.tls.Pem;

/** The DKIM keys configured for a domain (files DOMAIN/SELECTOR.pem) and the public key each publishes. */
// Kept small on purpose: the signing side lists the same keys, and this is the one place to switch over to it.
public final class DkimPublicKeys {

    /**
     * A configured key, or why its file could not be read.
     *
     * @param type      the k= tag: rsa or ed25519
     * @param publicKey the p= tag: base64 of the RSA SubjectPublicKeyInfo, or of the raw Ed25519 key (RFC 8463)
     * @param problem   why the file is unusable, else null (never the key's content)
     */
    public record Key(String domain, String selector, String type, String publicKey, String problem) {

        public String recordName() {
            return selector + "._domainkey." + domain;
        }

        public String record() {
            return "v=DKIM1; k=" + type + "; p=" + publicKey;
        }
    }

    private final Path keysDir;

    public DkimPublicKeys(Path keysDir) {
        this.keysDir = keysDir;
    }

    /** The domains with a folder in the keys folder, lower case. */
    public List<String> domains() {
        try (Stream<Path> folders = Files.list(keysDir)) {
            return folders.filter(Files::isDirectory)
                    .map(folder -> folder.getFileName().toString().toLowerCase(Locale.ROOT))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The keys of the domain, by selector. */
    public List<Key> keys(String domain) {
        Path folder;
        try (Stream<Path> folders = Files.list(keysDir)) {
            folder = folders.filter(f -> f.getFileName().toString().equalsIgnoreCase(domain)).findFirst().orElse(null);
        } catch (IOException e) {
            return List.of();
        }
        if (folder == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".pem"))
                    .sorted()
                    .map(file -> key(domain, file))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Key key(String domain, Path file) {
        String name = file.getFileName().toString();
        String selector = name.substring(0, name.length() - ".pem".length());
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(Pem.readPrivateKey(file).getEncoded());
            AsymmetricKeyParameter key = PrivateKeyFactory.createKey(info);
            Base64.Encoder base64 = Base64.getEncoder();
            if (key instanceof RSAPrivateCrtKeyParameters rsa) {
                RSAKeyParameters publicKey = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
                return new Key(domain, selector, "rsa",
                        base64.encodeToString(SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey)
                                .getEncoded()), null);
            }
            if (key instanceof Ed25519PrivateKeyParameters ed25519) {
                return new Key(domain, selector, "ed25519",
                        base64.encodeToString(ed25519.generatePublicKey().getEncoded()), null);
            }
            return new Key(domain, selector, null, null, file + " holds neither an RSA nor an Ed25519 key");
        } catch (IOException | RuntimeException e) {
            // The message names the file, never what is in it.
            return new Key(domain, selector, null, null, "cannot read the private key " + file);
        }
    }
}
