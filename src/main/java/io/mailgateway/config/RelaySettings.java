package io.mailgateway.config;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import io.mailgateway.relay.Relay;
import io.mailgateway.relay.Relays;
import io.mailgateway.smtp.LongestTransaction;
import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;

/**
 * The relays mail is submitted to: the default relay of the SMTP_* settings, further relays from the relays file,
 * and how the gateway waits for them (rate limits, probes of a relay that refuses it, shutdown).
 *
 * <p>Owns {@code gateway.smtp.*}, {@code gateway.relays-file}, {@code gateway.tenant-rate-wait-ms},
 * {@code gateway.instance-id} and {@code gateway.rate-limit.refresh-ms}, and reads {@code camel.main.shutdownTimeout}
 * and {@code gateway.limits.max-recipients} to check that shutdown waits for the longest submission, and
 * {@code gateway.group-id}, the group whose members share the rate limits.
 *
 * @param relays          the relay named "default" and those of the relays file; no password shows in
 *                        {@link #toString()}
 * @param instanceId      this instance's client id in the request consumer group, by which the instances sharing
 *                        the rate limits are told apart
 * @param instancesRefresh how often the instances in the group are counted
 */
public record RelaySettings(Relays relays, Duration shutdownTimeout, int maxRecipients, Duration probeInterval,
        Duration tenantRateWait, String groupId, String instanceId, Duration instancesRefresh) {

    public RelaySettings {
        // Shutdown waits this long for the mail in hand: a mail accepted after it would be sent again.
        LongestTransaction.requireCoveredBy(shutdownTimeout, relays.all().stream()
                .collect(Collectors.toMap(Relay::name, Relay::settings)), maxRecipients);
        if (tenantRateWait.isNegative()) {
            throw new IllegalArgumentException("GATEWAY_TENANT_RATE_WAIT_MS must not be negative but was "
                    + tenantRateWait.toMillis());
        }
        if (instancesRefresh.isNegative() || instancesRefresh.isZero()) {
            throw new IllegalArgumentException("GATEWAY_RATE_LIMIT_REFRESH_MS must be positive but was "
                    + instancesRefresh.toMillis());
        }
        if (instanceId.isBlank() || instanceId.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("GATEWAY_INSTANCE_ID must be printable ASCII without spaces but was '"
                    + instanceId + "'");
        }
    }

    public static RelaySettings from(Settings source) {
        Relay defaultRelay = defaultRelay(source);
        Relays relays = source.optionalPath("gateway.relays-file")
                .map(file -> Relays.load(file, defaultRelay, System::getenv))
                .orElseGet(() -> Relays.only(defaultRelay));
        return new RelaySettings(relays, Duration.ofSeconds(source.whole("camel.main.shutdownTimeout")),
                source.integer("gateway.limits.max-recipients"), source.millis("gateway.smtp.probe-interval-ms"),
                source.millis("gateway.tenant-rate-wait-ms"), source.text("gateway.group-id"),
                source.optional("gateway.instance-id").orElseGet(RelaySettings::randomInstanceId),
                source.millis("gateway.rate-limit.refresh-ms"));
    }

    /** Unique without coordination: two instances taken for one would each send the share of one. */
    private static String randomInstanceId() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "mail-gateway-" + HexFormat.of().formatHex(random);
    }

    private static Relay defaultRelay(Settings source) {
        SmtpSecurity mode = SmtpSecurity.parse(source.text("gateway.smtp.security"));
        mode.requirePlaintextAllowed(source.flag("gateway.smtp.allow-plaintext"), "SMTP_SECURITY=",
                "SMTP_ALLOW_PLAINTEXT=true");
        int port = source.integer("gateway.smtp.port");
        // Credentials and names are taken as written; only blank means "not set".
        Optional<String> username = source.optionalAsWritten("gateway.smtp.username");
        String password = source.optionalPath("gateway.smtp.password-file")
                .map(file -> Settings.readSecret(file, "SMTP_PASSWORD_FILE"))
                .orElseGet(() -> source.text("gateway.smtp.password"));
        SmtpSettings smtp = new SmtpSettings(source.text("gateway.smtp.host"), port > 0 ? port : mode.defaultPort(),
                mode, username.orElse(null), username.isPresent() ? password : null,
                source.optionalPath("gateway.smtp.trust-ca-file").orElse(null),
                source.millis("gateway.smtp.connect-timeout-ms"), source.millis("gateway.smtp.read-timeout-ms"),
                source.millis("gateway.smtp.write-timeout-ms"),
                source.optionalAsWritten("gateway.smtp.helo-name").orElse(null));
        SmtpPoolSettings pool = new SmtpPoolSettings(source.integer("gateway.smtp.pool.size"),
                source.integer("gateway.smtp.pool.max-messages-per-connection"),
                source.millis("gateway.smtp.pool.max-idle-ms"));
        return new Relay(Relay.DEFAULT, smtp, pool);
    }
}
