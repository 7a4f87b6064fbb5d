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
     * @param type      the k= tag: rsa or ed25519
     * @param publicKey the p= tag
     * @param problem   why a key file is unusable, else null (names the file, never its content)
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
                    .map(key -> new Key(key.domain(), key.selector(), key.algorithm().keyType(),
                            Base64.getEncoder().encodeToString(key.publicKey()), null))
                    .toList();
        } catch (InvalidDkimKeyException | UncheckedIOException e) {
            // The signing step refuses such a file too; the message names the file, never its content.
            return List.of(new Key(lower, null, null, null, e.getMessage()));
        }
    }
}
