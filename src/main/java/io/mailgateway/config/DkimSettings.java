package io.mailgateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import io.mailgateway.tenant.Tenant.WithoutDkimKey;

/**
 * DKIM signing: where the keys are, how often they are looked at again, and what happens to mail from a domain
 * without a key.
 *
 * <p>Owns {@code gateway.dkim.keys-dir}, {@code gateway.dkim.rescan-interval} and {@code gateway.dkim.without-key}.
 */
public record DkimSettings(Optional<Path> keysDir, Duration rescanInterval, WithoutDkimKey withoutKey) {

    public static DkimSettings from(Settings source) {
        Optional<Path> keysDir = source.optionalPath("gateway.dkim.keys-dir");
        keysDir.ifPresent(dir -> {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("GATEWAY_DKIM_KEYS_DIR " + dir + " is not a readable directory");
            }
        });
        Duration rescan = source.duration("gateway.dkim.rescan-interval");
        if (rescan.isNegative() || rescan.isZero()) {
            throw new IllegalArgumentException("gateway.dkim.rescan-interval (GATEWAY_DKIM_RESCAN_INTERVAL) must be "
                    + "positive but was " + source.text("gateway.dkim.rescan-interval").trim());
        }
        String withoutKey = source.text("gateway.dkim.without-key").trim();
        WithoutDkimKey policy = switch (withoutKey.toLowerCase(Locale.ROOT)) {
            case "send" -> WithoutDkimKey.SEND;
            case "refuse" -> WithoutDkimKey.REFUSE;
            default -> throw new IllegalArgumentException(
                    "gateway.dkim.without-key (GATEWAY_DKIM_WITHOUT_KEY) must be send or refuse but was " + withoutKey);
        };
        return new DkimSettings(keysDir, rescan, policy);
    }
}
