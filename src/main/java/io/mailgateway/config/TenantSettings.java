package io.mailgateway.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.mailgateway.request.MailAddress;

/**
 * Who may send: the tenants file, and the sender every request gets unless it or its tenant names one.
 *
 * <p>Owns {@code gateway.tenants-file}, {@code gateway.default-from} and {@code gateway.allowed-sender-domains}.
 */
public record TenantSettings(Optional<Path> tenantsFile, Optional<MailAddress> defaultFrom,
        Set<String> allowedSenderDomains) {

    public TenantSettings {
        allowedSenderDomains = Set.copyOf(allowedSenderDomains);
    }

    public static TenantSettings from(Settings source) {
        return new TenantSettings(source.optionalPath("gateway.tenants-file"),
                source.optional("gateway.default-from").map(address -> new MailAddress(address, null)),
                Arrays.stream(source.text("gateway.allowed-sender-domains").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()));
    }
}
