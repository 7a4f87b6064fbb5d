package io.mailgateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where bounces go: the domain of the VERP return paths (VERP is on for all mail when set) and the file with the
 * key their tokens are signed with.
 *
 * <p>Owns {@code gateway.bounce.domain} and {@code gateway.bounce.secret-file}. Whether the key is needed also
 * depends on the tenants (a tenant may name its own bounce domain): see {@link BounceConfiguration}.
 */
public record BounceSettings(Optional<String> domain, Optional<Path> secretFile) {

    private static final String DOMAIN = "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+";

    public BounceSettings {
        domain = domain.map(name -> name.trim().toLowerCase(Locale.ROOT));
        domain.ifPresent(name -> {
            if (!name.matches(DOMAIN)) {
                throw new IllegalStateException("GATEWAY_BOUNCE_DOMAIN is not a domain name: '" + name + "'");
            }
        });
        secretFile.ifPresent(file -> {
            if (!Files.isReadable(file)) {
                // The path is safe to name, the content is not.
                throw new IllegalStateException("GATEWAY_BOUNCE_SECRET_FILE: cannot read " + file);
            }
        });
        if (domain.isPresent() && secretFile.isEmpty()) {
            throw new IllegalStateException("GATEWAY_BOUNCE_DOMAIN is set, so GATEWAY_BOUNCE_SECRET_FILE must name"
                    + " a file with the key of the return paths (at least 32 bytes)");
        }
    }

    public static BounceSettings from(Settings source) {
        return new BounceSettings(source.optional("gateway.bounce.domain"),
                source.optionalPath("gateway.bounce.secret-file"));
    }
}
