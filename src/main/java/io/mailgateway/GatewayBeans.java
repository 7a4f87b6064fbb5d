package io.mailgateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.util.TimeUtils;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import io.mailgateway.background.RestartBackoff;
import io.mailgateway.consume.CommittedStartSubscribeAdapter;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.consume.PartitionRewinds;
import io.mailgateway.consume.RecordBatches;
import io.mailgateway.enrich.Enricher;
import io.mailgateway.enrich.ProfileCache;
import io.mailgateway.enrich.ProfileEnrichment;
import io.mailgateway.enrich.ProfileFailurePolicy;
import io.mailgateway.enrich.ProfileHttpClient;
import io.mailgateway.enrich.ProfileResponses;
import io.mailgateway.enrich.ProfileTrust;
import io.mailgateway.enrich.ProfileUrlTemplate;
import io.mailgateway.metrics.ConsumerLag;
import io.mailgateway.metrics.GatewayMetrics;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.InFlightRequests;
import io.mailgateway.idempotency.OutcomeGuard;
import io.mailgateway.idempotency.OutcomeGuard.TopicUse;
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.mime.MimeComposer;
import io.mailgateway.preview.PreviewPages;
import io.mailgateway.render.ContentRenderer;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.render.TemplateRenderer;
import io.mailgateway.request.AllowedHeaders;
import io.mailgateway.request.JsonLimits;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.result.OffsetCommitter;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.result.ResultWriter;
import io.mailgateway.retry.RetryPlanner;
import io.mailgateway.retry.RetryQueue;
import io.mailgateway.retry.RetrySchedule;
import io.mailgateway.relay.Relay;
import io.mailgateway.relay.RelayRouter;
import io.mailgateway.relay.RelaySelection;
import io.mailgateway.relay.Relays;
import io.mailgateway.relay.TenantRateLimits;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.LongestTransaction;
import io.mailgateway.relay.RelayGuard;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.suppress.BulkMail;
import io.mailgateway.suppress.SuppressionList;
import io.mailgateway.suppress.UnsubscribeTokens;
import io.mailgateway.suppress.Unsubscribes;

/** The beans the routes call, built from the gateway's settings (application.properties and environment). */
// Beans needed by other beans are shared through fields or looked up when used, never injected into each other:
// the order in which these methods run is not defined.
public class GatewayBeans implements CamelConfiguration, CamelContextAware {

    private final Clock clock = Clock.systemUTC();
    private final ResultFactory results = new ResultFactory(clock);
    // Camel's Prometheus support binds its registry at start-up, after these beans exist.
    private final GatewayMetrics metrics = new GatewayMetrics(() -> getCamelContext().getRegistry()
            .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class));
    private CamelContext camelContext;
    // Camel may call a @BindToRegistry method more than once; beans that run threads, hold connections or register
    // health checks must exist once.
    private ConsumerLag consumerLag;
    private RetryQueue retryQueue;
    private RelayGuard relayGuard;
    private OutcomeGuard outcomeGuard;
    private PartitionRewinds partitionRewinds;
    private CompletedRequests completedRequests;
    private RelayRouter mailSender;
    private TenantRateLimits tenantRateLimits;
    private SuppressionList suppressionList;
    private UnsubscribeTokens unsubscribeTokens;
    private ExecutorService sendThreads;
    // One set of turns for large renders: a second one would let twice as many large renders run.
    private RenderPermits renderPermits;
    // Read once: enrichment, relay selection, rate limits and bulk mail all use the same tenants.
    private Tenants tenants;
    @PropertyInject(value = "gateway.tenants-file", defaultValue = " ")
    private String tenantsFile;

    // The Kafka connection settings of camel-kafka, reused by the gateway's own Kafka clients (retry and state topics).
    @PropertyInject("camel.component.kafka.brokers")
    private String kafkaBrokers;
    @PropertyInject(value = "camel.component.kafka.securityProtocol", defaultValue = "PLAINTEXT")
    private String kafkaSecurityProtocol;
    @PropertyInject(value = "camel.component.kafka.saslMechanism", defaultValue = " ")
    private String kafkaSaslMechanism;
    @PropertyInject(value = "camel.component.kafka.saslJaasConfig", defaultValue = " ")
    private String kafkaSaslJaasConfig;
    @PropertyInject(value = "camel.component.kafka.sslTruststoreLocation", defaultValue = " ")
    private String kafkaTruststoreLocation;
    @PropertyInject(value = "camel.component.kafka.sslTruststorePassword", defaultValue = " ")
    private String kafkaTruststorePassword;
    @PropertyInject(value = "camel.component.kafka.sslTruststoreType", defaultValue = " ")
    private String kafkaTruststoreType;
    @PropertyInject(value = "camel.component.kafka.sslKeystoreLocation", defaultValue = " ")
    private String kafkaKeystoreLocation;
    @PropertyInject(value = "camel.component.kafka.sslKeystorePassword", defaultValue = " ")
    private String kafkaKeystorePassword;
    @PropertyInject(value = "camel.component.kafka.sslKeystoreType", defaultValue = " ")
    private String kafkaKeystoreType;

    // How the gateway's own background work (topic followers, retry queue) waits for brokers and restarts after faults.
    @PropertyInject(value = "gateway.follower.timeout-ms", defaultValue = "30000")
    private long followerTimeoutMs;
    @PropertyInject(value = "gateway.restart.backoff-min-ms", defaultValue = "1000")
    private long restartBackoffMinMs;
    @PropertyInject(value = "gateway.restart.backoff-max-ms", defaultValue = "30000")
    private long restartBackoffMaxMs;

    // Profile enrichment: the lookup bean and the strategy reading the service's answers share one cache.
    private ProfileCache profileCache;
    @PropertyInject(value = "gateway.profile.url", defaultValue = " ")
    private String profileUrl;
    @PropertyInject(value = "gateway.profile.timeout-ms", defaultValue = "2000")
    private long profileTimeoutMs;
    @PropertyInject(value = "gateway.profile.on-failure", defaultValue = "continue")
    private String profileOnFailure;
    @PropertyInject(value = "gateway.profile.cache-ttl", defaultValue = "10m")
    private String profileCacheTtl;
    @PropertyInject(value = "gateway.profile.cache-size", defaultValue = "10000")
    private long profileCacheSize;
    @PropertyInject(value = "gateway.profile.max-bytes", defaultValue = "65536")
    private long profileMaxBytes;
    @PropertyInject(value = "gateway.profile.auth-header-file", defaultValue = " ")
    private String profileAuthHeaderFile;
    @PropertyInject(value = "gateway.profile.trust-ca-file", defaultValue = " ")
    private String profileTrustCaFile;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @BindToRegistry
    public RequestParser requestParser(
            @PropertyInject("gateway.limits.max-request-bytes") int maxRequestBytes,
            @PropertyInject("gateway.limits.max-attachment-bytes") int maxAttachmentBytes,
            @PropertyInject("gateway.limits.max-attachments") int maxAttachments,
            @PropertyInject("gateway.limits.max-recipients") int maxRecipients,
            @PropertyInject("gateway.limits.max-subject-length") int maxSubjectLength,
            @PropertyInject("gateway.allowed-headers") String allowedHeaders,
            @PropertyInject("gateway.kafka.max-record-bytes") int maxRecordBytes,
            @PropertyInject("gateway.limits.max-json-depth") int maxJsonDepth,
            @PropertyInject("gateway.limits.max-json-string-length") int maxJsonStringLength,
            @PropertyInject("gateway.limits.max-json-number-length") int maxJsonNumberLength,
            @PropertyInject("gateway.limits.max-json-array-elements") int maxJsonArrayElements,
            @PropertyInject("gateway.limits.max-json-object-members") int maxJsonObjectMembers,
            @PropertyInject("gateway.limits.max-json-values") int maxJsonValues) {
        // A request that could not be written to the retry topic would be sent again and again instead.
        if (maxRecordBytes < maxRequestBytes + 65536) {
            throw new IllegalArgumentException("GATEWAY_MAX_RECORD_BYTES (" + maxRecordBytes
                    + ") must be at least GATEWAY_MAX_REQUEST_BYTES + 65536 (" + (maxRequestBytes + 65536) + ")");
        }
        return new RequestParser(new RequestLimits(maxRequestBytes, maxAttachmentBytes, maxAttachments, maxRecipients,
                maxSubjectLength, new JsonLimits(maxJsonDepth, maxJsonStringLength, maxJsonNumberLength,
                        maxJsonArrayElements, maxJsonObjectMembers, maxJsonValues)),
                AllowedHeaders.parse(allowedHeaders));
    }

    @BindToRegistry
    public Enricher enricher(
            @PropertyInject("gateway.default-from") String defaultFrom,
            @PropertyInject("gateway.allowed-sender-domains") String allowedSenderDomains) {
        MailAddress from = blank(defaultFrom) ? null : new MailAddress(defaultFrom.trim(), null);
        Set<String> domains = Arrays.stream(allowedSenderDomains.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new Enricher(tenants(), from, domains);
    }

    /** Looks up the recipient's profile for the template data (routes/enrich-profile.camel.yaml); off by default. */
    @BindToRegistry
    public ProfileEnrichment profiles() {
        if (blank(profileUrl)) {
            return ProfileEnrichment.off();
        }
        return new ProfileEnrichment(ProfileUrlTemplate.parse(profileUrl), profileCache(),
                ProfileFailurePolicy.parse(profileOnFailure), () -> metrics.profileLookup("cached"));
    }

    /** Reads the profile service's answers in the enrich-profile route. */
    @BindToRegistry
    public ProfileResponses profileResponses() {
        return new ProfileResponses(profileCache(), profileTimeout(), metrics::profileLookup);
    }

    /** The HTTP client settings of profile lookups: Authorization header, size and time limits. */
    @BindToRegistry
    public ProfileHttpClient profileHttpClient() {
        String authorization = blank(profileAuthHeaderFile) ? null
                : readSecret(Path.of(profileAuthHeaderFile.trim()), "GATEWAY_PROFILE_AUTH_HEADER_FILE");
        return new ProfileHttpClient(authorization, profileMaxBytes, profileTimeout());
    }

    /** The CAs an https profile service is verified against. */
    @BindToRegistry
    public ProfileTrust profileTls() {
        return new ProfileTrust(blank(profileTrustCaFile) ? null : Path.of(profileTrustCaFile.trim()));
    }

    private synchronized ProfileCache profileCache() {
        if (profileCache == null) {
            profileCache = new ProfileCache(TimeUtils.toDuration(profileCacheTtl.trim()), profileCacheSize);
        }
        return profileCache;
    }

    private Duration profileTimeout() {
        // every network wait is bounded; a lookup must never hold a mail for long
        if (profileTimeoutMs < 1 || profileTimeoutMs > 60000) {
            throw new IllegalArgumentException("GATEWAY_PROFILE_TIMEOUT_MS must be between 1 and 60000 but was "
                    + profileTimeoutMs);
        }
        return Duration.ofMillis(profileTimeoutMs);
    }

    @BindToRegistry
    public ContentRenderer contentRenderer(@PropertyInject("gateway.templates-dir") String templatesDir,
            @PropertyInject("gateway.limits.max-subject-length") int maxSubjectLength,
            @PropertyInject("gateway.limits.max-message-bytes") long maxMessageBytes) {
        Path dir = Path.of(blank(templatesDir) ? "templates" : templatesDir);
        if (!blank(templatesDir) && !Files.isDirectory(dir)) {
            throw new IllegalStateException("GATEWAY_TEMPLATES_DIR " + dir + " is not a directory");
        }
        // Without a templates folder the copy bundled in the jar is used.
        return new ContentRenderer(Files.isDirectory(dir) ? TemplateRenderer.fromDirectory(dir) : TemplateRenderer.bundled(),
                maxSubjectLength, maxMessageBytes);
    }

    /** Turns for renders past GATEWAY_LARGE_RENDER_BYTES; inFlightRequests gives a request's turn back when it ends. */
    @BindToRegistry
    public RenderPermits renderPermits(@PropertyInject("gateway.limits.large-render-bytes") long largeRenderBytes,
            @PropertyInject("gateway.limits.large-renders") int largeRenders) {
        if (renderPermits == null) {
            renderPermits = new RenderPermits(largeRenderBytes, largeRenders);
        }
        return renderPermits;
    }

    @BindToRegistry
    public PreviewPages previewPages(@PropertyInject("gateway.preview.enabled") boolean previewEnabled,
            @PropertyInject("camel.server.enabled") boolean httpEnabled,
            @PropertyInject("gateway.templates-dir") String templatesDir,
            @PropertyInject("gateway.preview.mail-dir") String mailDir) {
        if (previewEnabled && !httpEnabled) {
            throw new IllegalStateException("GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true:"
                    + " the preview pages are served by the public HTTP server");
        }
        // The same templates the gateway renders mails from (see contentRenderer).
        Path templates = !blank(templatesDir) ? Path.of(templatesDir)
                : Files.isDirectory(Path.of("templates")) ? Path.of("templates") : TemplateRenderer.bundledFolder();
        return new PreviewPages(templates, blank(mailDir) ? null : Path.of(mailDir.trim()));
    }

    @BindToRegistry
    public MimeComposer mimeComposer(@PropertyInject("gateway.limits.max-message-bytes") long maxMessageBytes) {
        return new MimeComposer(maxMessageBytes, clock);
    }

    /**
     * The sender the deliver route's submit step calls: the relay of the SMTP_* settings ("default") and those of
     * the relays file, each with its own pool of connections, picked per tenant or recipient domain, with failover.
     */
    @BindToRegistry
    public RelayRouter mailSender(
            @PropertyInject("gateway.smtp.host") String host,
            @PropertyInject("gateway.smtp.port") int port,
            @PropertyInject("gateway.smtp.security") String security,
            @PropertyInject("gateway.smtp.allow-plaintext") boolean allowPlaintext,
            @PropertyInject("gateway.smtp.username") String username,
            @PropertyInject("gateway.smtp.password") String password,
            @PropertyInject("gateway.smtp.password-file") String passwordFile,
            @PropertyInject("gateway.smtp.trust-ca-file") String trustCaFile,
            @PropertyInject("gateway.smtp.connect-timeout-ms") long connectTimeoutMs,
            @PropertyInject("gateway.smtp.read-timeout-ms") long readTimeoutMs,
            @PropertyInject("gateway.smtp.write-timeout-ms") long writeTimeoutMs,
            @PropertyInject("gateway.smtp.helo-name") String heloName,
            @PropertyInject("gateway.smtp.pool.size") int poolSize,
            @PropertyInject("gateway.smtp.pool.max-messages-per-connection") int maxMessagesPerConnection,
            @PropertyInject("gateway.smtp.pool.max-idle-ms") long maxIdleMs,
            @PropertyInject("gateway.relays-file") String relaysFile,
            @PropertyInject("camel.main.shutdownTimeout") long shutdownTimeoutSeconds,
            @PropertyInject("gateway.limits.max-recipients") int maxRecipients) throws Exception {
        if (mailSender != null) {
            return mailSender;
        }
        SmtpSecurity mode = SmtpSecurity.parse(security);
        if (mode == SmtpSecurity.NONE && !allowPlaintext) {
            throw new IllegalStateException("SMTP_SECURITY=none sends credentials and mail in clear text;"
                    + " set SMTP_ALLOW_PLAINTEXT=true to allow it");
        }
        String secret = blank(passwordFile) ? password : readSecret(Path.of(passwordFile));
        Relay defaultRelay = new Relay(Relay.DEFAULT, new SmtpSettings(host, port > 0 ? port : mode.defaultPort(),
                mode, blank(username) ? null : username, blank(username) ? null : secret,
                blank(trustCaFile) ? null : Path.of(trustCaFile), Duration.ofMillis(connectTimeoutMs),
                Duration.ofMillis(readTimeoutMs), Duration.ofMillis(writeTimeoutMs), blank(heloName) ? null : heloName),
                new SmtpPoolSettings(poolSize, maxMessagesPerConnection, Duration.ofMillis(maxIdleMs)));
        Relays relays = blank(relaysFile) ? Relays.only(defaultRelay)
                : Relays.load(Path.of(relaysFile.trim()), defaultRelay, System::getenv);
        // Shutdown waits this long for the mail in hand: a mail accepted after it would be sent again.
        LongestTransaction.requireCoveredBy(Duration.ofSeconds(shutdownTimeoutSeconds), relays.all().stream()
                .collect(Collectors.toMap(Relay::name, Relay::settings)), maxRecipients);
        Map<String, GatewayMailSender> senders = new LinkedHashMap<>();
        for (Relay relay : relays.all()) {
            GatewayMailSender sender = new GatewayMailSender(relay.settings(), relay.pool(), metrics::submission);
            senders.put(relay.name(), sender);
            // Stopped with Camel, after the routes: no connection to a relay outlives the gateway.
            camelContext.addService(sender, true, true);
        }
        RelayRouter router = new RelayRouter(senders, new RelaySelection(relays, tenants()), metrics::failover);
        // A relay that refuses the gateway after others took part of a message: consumption waits, as for any refusal.
        router.onRefusal(refusal -> camelContext.getRegistry().lookupByNameAndType("relayGuard", RelayGuard.class)
                .block(refusal));
        mailSender = router;
        return router;
    }

    /** Holds each tenant to the send-rate limit of the tenants file. */
    @BindToRegistry
    public TenantRateLimits tenantRateLimits(
            @PropertyInject("gateway.tenant-rate-wait-ms") long waitMs) {
        // One set of limiters: a second one would let each tenant send twice its limit.
        if (tenantRateLimits != null) {
            return tenantRateLimits;
        }
        if (waitMs < 0) {
            throw new IllegalArgumentException("GATEWAY_TENANT_RATE_WAIT_MS must not be negative but was " + waitMs);
        }
        tenantRateLimits = new TenantRateLimits(tenants(), Duration.ofMillis(waitMs));
        return tenantRateLimits;
    }

    private synchronized Tenants tenants() {
        if (tenants == null) {
            tenants = blank(tenantsFile) ? Tenants.none() : Tenants.load(Path.of(tenantsFile.trim()));
        }
        return tenants;
    }

    @BindToRegistry
    public GatewayMetrics gatewayMetrics() {
        return metrics;
    }

    @BindToRegistry
    public ConsumerLag consumerLag(
            @PropertyInject("camel.component.kafka.brokers") String brokers,
            @PropertyInject("gateway.group-id") String groupId,
            @PropertyInject("gateway.topic.outbound") String topic) throws Exception {
        if (consumerLag != null) {
            return consumerLag;
        }
        ConsumerLag lag = new ConsumerLag(kafkaClientProperties(brokers), groupId, topic);
        consumerLag = lag;
        camelContext.addService(lag, true, true);
        metrics.gauge("mail.gateway.consumer.lag", "Requests waiting in the request topic for this consumer group",
                lag, ConsumerLag::lag);
        return lag;
    }

    @BindToRegistry
    public ResultFactory results() {
        return results;
    }

    @BindToRegistry
    public RetryPlanner retryPlanner(
            @PropertyInject("gateway.retry.schedule") String schedule,
            @PropertyInject("gateway.retry.max-age") String maxAge) {
        return new RetryPlanner(results, RetrySchedule.parse(schedule, maxAge), clock);
    }

    @BindToRegistry
    public RetryQueue retryQueue(
            @PropertyInject("camel.component.kafka.brokers") String brokers,
            @PropertyInject("gateway.topic.retry") String topic,
            @PropertyInject("gateway.group-id") String groupId) throws Exception {
        if (retryQueue != null) {
            return retryQueue;
        }
        RetryQueue queue = new RetryQueue(kafkaClientProperties(brokers), topic, groupId + ".retry", clock,
                restartBackoff(), metrics::poisonRecord);
        retryQueue = queue;
        registerWhenStarted(queue.healthCheck());
        metrics.gauge("mail.gateway.retry.backlog", "Deferred requests waiting on the retry topic", queue,
                RetryQueue::backlog);
        camelContext.addService(queue, true, true);
        return queue;
    }

    @BindToRegistry
    public RelayGuard relayGuard(@PropertyInject("gateway.smtp.probe-interval-ms") long probeIntervalMs)
            throws Exception {
        if (relayGuard != null) {
            return relayGuard;
        }
        RelayGuard guard = new RelayGuard(
                () -> camelContext.getRegistry().lookupByNameAndType("mailSender", RelayRouter.class),
                Duration.ofMillis(probeIntervalMs));
        guard.setCamelContext(camelContext);
        relayGuard = guard;
        // Registered once Camel has started: the health registry in use is settled only then.
        camelContext.addStartupListener((context, alreadyStarted) -> HealthCheckRegistry.get(context).register(guard));
        return guard;
    }

    /** Holds consumption while a topic is missing or not allowed, or an attempt's outcome is not yet recorded. */
    @BindToRegistry
    public OutcomeGuard outcomeGuard(
            @PropertyInject("camel.component.kafka.brokers") String brokers,
            @PropertyInject("gateway.topic.outbound") String outbound,
            @PropertyInject("gateway.topic.results") String results,
            @PropertyInject("gateway.topic.dlq") String deadLetters,
            @PropertyInject("gateway.topic.retry") String retry,
            @PropertyInject("gateway.topic.state") String state,
            @PropertyInject("gateway.topic.suppressions") String suppressions,
            @PropertyInject("gateway.kafka.recheck-interval-ms") long recheckIntervalMs) throws Exception {
        if (outcomeGuard != null) {
            return outcomeGuard;
        }
        if (recheckIntervalMs < 1) {
            throw new IllegalArgumentException("GATEWAY_KAFKA_RECHECK_INTERVAL_MS must be at least 1 but was "
                    + recheckIntervalMs);
        }
        OutcomeGuard guard = new OutcomeGuard(kafkaClientProperties(brokers), java.util.List.of(
                new TopicUse(outbound, true, false, false), new TopicUse(results, false, true, false),
                new TopicUse(deadLetters, false, true, false), new TopicUse(retry, true, true, false),
                new TopicUse(state, true, true, true), new TopicUse(suppressions, true, true, true)),
                Duration.ofMillis(recheckIntervalMs));
        guard.setCamelContext(camelContext);
        outcomeGuard = guard;
        metrics.gauge("mail.gateway.outcomes.unrecorded", "Outcomes held because Kafka did not take them yet", guard,
                OutcomeGuard::unrecordedCount);
        // Started once Camel has started: the health registry in use and the routes it publishes through exist then.
        camelContext.addStartupListener((context, alreadyStarted) -> {
            HealthCheckRegistry.get(context).register(guard);
            context.addService(guard, true, true);
        });
        return guard;
    }

    @BindToRegistry
    public ResultWriter resultWriter() {
        return new ResultWriter();
    }

    @BindToRegistry
    public OffsetCommitter offsets() {
        return new OffsetCommitter();
    }

    /** The threads that handle a batch's records in parallel: rendering, composing, submitting, publishing. */
    @BindToRegistry
    public ExecutorService sendThreads(@PropertyInject("gateway.parallel-sends") int parallelSends) {
        if (sendThreads == null) {
            if (parallelSends < 1) {
                throw new IllegalArgumentException("GATEWAY_PARALLEL_SENDS must be at least 1 but was " + parallelSends);
            }
            sendThreads = camelContext.getExecutorServiceManager().newFixedThreadPool(this, "mail-sender", parallelSends);
        }
        return sendThreads;
    }

    @BindToRegistry
    public RecordBatches batches(
            @PropertyInject("gateway.kafka.rewind-backoff-ms") long firstPauseMs,
            @PropertyInject("gateway.kafka.rewind-backoff-max-ms") long longestPauseMs) {
        return new RecordBatches(partitionRewinds(firstPauseMs, longestPauseMs));
    }

    /** Sends the partitions of an unfinished batch back to their first unfinished record (a consumer listener). */
    @BindToRegistry
    public PartitionRewinds partitionRewinds(
            @PropertyInject("gateway.kafka.rewind-backoff-ms") long firstPauseMs,
            @PropertyInject("gateway.kafka.rewind-backoff-max-ms") long longestPauseMs) {
        if (partitionRewinds == null) {
            partitionRewinds = new PartitionRewinds(Duration.ofMillis(firstPauseMs), Duration.ofMillis(longestPauseMs),
                    metrics::rewind);
        }
        return partitionRewinds;
    }

    @BindToRegistry
    public KafkaManualCommitFactory requestCommits(
            @PropertyInject("gateway.kafka.rewind-backoff-ms") long firstPauseMs,
            @PropertyInject("gateway.kafka.rewind-backoff-max-ms") long longestPauseMs) {
        return partitionRewinds(firstPauseMs, longestPauseMs).commitFactory();
    }

    @BindToRegistry
    public InFlightRequests inFlightRequests(
            @PropertyInject("gateway.kafka.max-poll-interval-ms") long maxPollIntervalMs) {
        // A duplicate waits at most as long as the consumer may spend on a batch. A request that rendered a large mail
        // gives its turn back once it is finished (routes/deliver.camel.yaml takes it).
        return new InFlightRequests(maxPollIntervalMs, exchange -> camelContext.getRegistry()
                .lookupByNameAndType("renderPermits", RenderPermits.class)
                .release(exchange.getProperty("renderTurn", RenderPermits.Turn.class)));
    }

    /** Looked up by camel-kafka under this name for its consumers. */
    @BindToRegistry("subscribeAdapter")
    public CommittedStartSubscribeAdapter subscribeAdapter() {
        // Partitions that arrive (at start-up or from another instance) are processed only once the index of
        // completed requests has read everything written before.
        return new CommittedStartSubscribeAdapter(() -> camelContext.getRegistry()
                .lookupByNameAndType("completedRequests", CompletedRequests.class).markCatchUpPoint());
    }

    @BindToRegistry
    public CompletedRequests completedRequests(
            @PropertyInject("camel.component.kafka.brokers") String brokers,
            @PropertyInject("gateway.topic.state") String topic,
            @PropertyInject("gateway.idempotency.window") String window,
            @PropertyInject("gateway.idempotency.cache-bytes") long cacheBytes) throws Exception {
        if (completedRequests != null) {
            return completedRequests;
        }
        CompletedRequests completed = new CompletedRequests(kafkaClientProperties(brokers), topic,
                TimeUtils.toDuration(window), clock, followerSettings(), cacheBytes);
        camelContext.addService(completed, true, true);
        registerWhenStarted(completed.healthCheck());
        completedRequests = completed;
        metrics.gauge("mail.gateway.idempotency.ids", "Request ids remembered for the idempotency window", completed,
                CompletedRequests::size);
        metrics.gauge("mail.gateway.idempotency.memory.bytes", "Heap taken by the remembered request ids", completed,
                CompletedRequests::memoryBytes);
        return completed;
    }

    @BindToRegistry
    public SuppressionList suppressionList(
            @PropertyInject("camel.component.kafka.brokers") String brokers,
            @PropertyInject("gateway.topic.suppressions") String topic,
            @PropertyInject("gateway.suppression.ttl") String timeToLive) throws Exception {
        if (suppressionList != null) {
            return suppressionList;
        }
        SuppressionList list = new SuppressionList(kafkaClientProperties(brokers), topic,
                TimeUtils.toDuration(timeToLive), clock, followerSettings());
        camelContext.addService(list, true, true);
        registerWhenStarted(list.healthCheck());
        suppressionList = list;
        metrics.gauge("mail.gateway.suppression.entries", "Addresses on the suppression list", list,
                SuppressionList::size);
        return list;
    }

    /** The bulk mail of tenants (their {@code bulk:} settings in the tenants file) and its unsubscribe headers. */
    @BindToRegistry
    public BulkMail bulkMail(
            @PropertyInject("gateway.unsubscribe.secret") String secret,
            @PropertyInject("gateway.unsubscribe.secret-file") String secretFile) {
        Map<String, Tenant.Bulk> bulk = BulkMail.settingsOf(tenants());
        return new BulkMail(bulk, bulk.isEmpty() ? null : unsubscribeTokens(secret, secretFile), clock);
    }

    /** Answers the one-click unsubscribe endpoint (routes/unsubscribe.camel.yaml). */
    @BindToRegistry
    public Unsubscribes unsubscribes(
            @PropertyInject("gateway.unsubscribe.enabled") boolean enabled,
            @PropertyInject("gateway.unsubscribe.secret") String secret,
            @PropertyInject("gateway.unsubscribe.secret-file") String secretFile) {
        UnsubscribeTokens tokens = enabled || !blank(secret) || !blank(secretFile)
                ? unsubscribeTokens(secret, secretFile) : null;
        return new Unsubscribes(tokens,
                () -> camelContext.getRegistry().lookupByNameAndType("suppressionList", SuppressionList.class), clock);
    }

    private synchronized UnsubscribeTokens unsubscribeTokens(String secret, String secretFile) {
        if (unsubscribeTokens == null) {
            if (blank(secret) && blank(secretFile)) {
                throw new IllegalStateException("One-click unsubscribe needs a secret to sign its links: set"
                        + " GATEWAY_UNSUBSCRIBE_SECRET_FILE (or GATEWAY_UNSUBSCRIBE_SECRET)");
            }
            String value = blank(secretFile) ? secret : readSecret(Path.of(secretFile), "GATEWAY_UNSUBSCRIBE_SECRET_FILE");
            try {
                unsubscribeTokens = new UnsubscribeTokens(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("GATEWAY_UNSUBSCRIBE_SECRET(_FILE): " + e.getMessage());
            }
        }
        return unsubscribeTokens;
    }

    /** Drops every Kafka record header on consumption: requests speak only through their validated body. */
    @BindToRegistry
    public HeaderFilterStrategy dropAllHeaders() {
        return new HeaderFilterStrategy() {
            @Override
            public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
                return false;
            }

            @Override
            public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
                return true;
            }
        };
    }

    private RestartBackoff restartBackoff() {
        return new RestartBackoff(Duration.ofMillis(restartBackoffMinMs), Duration.ofMillis(restartBackoffMaxMs));
    }

    private FollowerSettings followerSettings() {
        return new FollowerSettings(Duration.ofMillis(followerTimeoutMs), restartBackoff(), metrics::poisonRecord);
    }

    // Registered once Camel has started, as the relay guard's: the health registry in use is settled only then; by
    // then Camel's meter registry exists too, so poison records counted before show at once.
    private void registerWhenStarted(HealthCheck check) throws Exception {
        camelContext.addStartupListener((context, alreadyStarted) -> {
            HealthCheckRegistry.get(context).register(check);
            metrics.bindIfReady();
        });
    }

    private Map<String, Object> kafkaClientProperties(String brokers) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, kafkaSecurityProtocol);
        putIfSet(props, SaslConfigs.SASL_MECHANISM, kafkaSaslMechanism);
        putIfSet(props, SaslConfigs.SASL_JAAS_CONFIG, kafkaSaslJaasConfig);
        putIfSet(props, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, kafkaTruststoreLocation);
        putIfSet(props, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, kafkaTruststorePassword);
        putIfSet(props, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, kafkaTruststoreType);
        putIfSet(props, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, kafkaKeystoreLocation);
        putIfSet(props, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, kafkaKeystorePassword);
        putIfSet(props, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, kafkaKeystoreType);
        return props;
    }

    private static void putIfSet(Map<String, Object> props, String key, String value) {
        if (!blank(value)) {
            props.put(key, value.trim());
        }
    }

    private static String readSecret(Path file) {
        return readSecret(file, "SMTP_PASSWORD_FILE");
    }

    private static String readSecret(Path file, String setting) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            // The path is safe to name, the content is not.
            throw new IllegalStateException("Cannot read " + setting + " " + file, e);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
