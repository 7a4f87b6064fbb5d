package io.mailgateway.senderchecks;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.mailgateway.dkim.DkimKey;
import io.mailgateway.dkim.DkimKeys;
import io.mailgateway.dkim.InvalidDkimKeyException;

/** The DKIM keys of the keys folder (DOMAIN/SELECTOR.pem), as the signing step reads them, and what each publishes. */
public final class DkimPublicKeys {

    /**
     * A configured key, or why the keys could not be read.
     *
     * @param key     the key as the signing step reads it, or null when the folder holds an unusable file
     * @param problem why a key file is unusable, else null (names the file, never its content)
     */
    public record Key(String domain, DkimKey key, String problem) {

        public String selector() {
            return key.selector();
        }

        /** The k= tag: rsa or ed25519. */
        public String type() {
            return key.algorithm().keyType();
        }

        /** The p= tag. */
        public String publicKey() {
            return Base64.getEncoder().encodeToString(key.publicKey());
        }

        public String recordName() {
            return key.dnsName();
        }

        public String record() {
            return key.dnsRecord();
        }
    }

    private final Path keysDir;

    public DkimPublicKeys(Path keysDir) {
        this.keysDir = keysDir;
    }

    /** The domains with a key, lower case; none when the folder cannot be read (the check of a domain says why). */
    public List<String> domains() {
        try {
            return DkimKeys.read(keysDir).stream().map(DkimKey::domain).distinct().toList();
        } catch (InvalidDkimKeyException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** The keys of the domain, by selector. */
    public List<Key> keys(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        try {
            return DkimKeys.read(keysDir).stream()
                    .filter(key -> key.domain().equals(lower))
                    .map(key -> new Key(key.domain(), key, null))
                    .toList();
        } catch (InvalidDkimKeyException | UncheckedIOException e) {
            // The signing step refuses such a file too; the message names the file, never its content.
            return List.of(new Key(lower, null, e.getMessage()));
        }
    }
}
