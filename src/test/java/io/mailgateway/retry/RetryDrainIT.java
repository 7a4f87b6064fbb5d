package io.mailgateway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalCertificate;
import io.mailgateway.local.LocalSmtpServer;
import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.support.InJvmGateway;

/**
 * Requests deferred while the relay answers 4xx drain once it accepts again: every one ends SENT with exactly one
 * mail, and the retries go out in parallel (the relay sees a second mail while the first is still in DATA), not one
 * at a time.
 */
class RetryDrainIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 300;

    @Test
    void deferredRequestsDrainInParallelOnceTheRelayAcceptsAgainEachSentOnce(@TempDir Path work) throws Exception {
        Overlap overlap = new Overlap();
        String password = UUID.randomUUID().toString();
        LocalCertificate certificate = LocalCertificate.create(work.resolve("relay-tls"));
        try (LocalSmtpServer relay = LocalSmtpServer.builder().certificate(certificate).credentials("drain", password)
                .mailDir(work.resolve("relay-mail")).afterAccepting(overlap).build().start()) {
            relay.rejectMessages(451, "4.3.0 try again later");
            Map<String, String> settings = new HashMap<>(Map.of(
                    "gateway.smtp.host", LocalSmtpServer.HOST,
                    "gateway.smtp.port", String.valueOf(relay.port()),
                    "gateway.smtp.username", "drain",
                    "gateway.smtp.password", password,
                    "gateway.smtp.trust-ca-file", certificate.caPemFile().toString(),
                    // Every request is tried again within the test's patience, and none expires during it.
                    "gateway.retry.schedule", "2s",
                    "gateway.retry.max-age", "10m"));
            try (InJvmGateway gateway = InJvmGateway.start(work.resolve("gateway"), settings)) {
                List<String> ids = IntStream.range(0, REQUESTS).mapToObj(i -> "drain-" + i + "-" + UUID.randomUUID())
                        .toList();
                for (String id : ids) {
                    gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                            {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
                }
                await().atMost(Duration.ofMinutes(3)).until(() -> withStatus(gateway, "DEFERRED").containsAll(ids));

                // From here on only retries send: every request was deferred by its first attempt.
                overlap.armed = true;
                relay.clearFaults();

                await().atMost(Duration.ofMinutes(3)).until(() -> withStatus(gateway, "SENT").containsAll(ids));
                assertThat(overlap.seen).as("a second retry was in DATA while the first waited for its reply").isTrue();
                Map<String, Integer> mailsPerRecipient = new HashMap<>();
                for (ReceivedMail mail : relay.received()) {
                    mail.envelopeRecipients().forEach(to -> mailsPerRecipient.merge(to, 1, Integer::sum));
                }
                assertThat(mailsPerRecipient).hasSize(REQUESTS);
                assertThat(mailsPerRecipient.values()).containsOnly(1);
                for (String id : ids) {
                    assertThat(mailsPerRecipient).containsEntry(id + "@example.org", 1);
                }
            }
        }
    }

    /** The request ids with a result of this status so far. */
    private static Set<String> withStatus(InJvmGateway gateway, String status) {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : gateway.results().records()) {
            try {
                JsonNode result = JSON.readTree(record.value());
                if (status.equals(result.path("status").asText())) {
                    ids.add(result.path("id").asText());
                }
            } catch (java.io.IOException notJson) {
                // Not a result; the gateway writes none such, and the assertions say what is missing.
            }
        }
        return ids;
    }

    /**
     * Once armed, holds the relay's reply to the first mail it accepts until a second mail is in DATA at the same
     * time, for at most 10 s (well within the gateway's read timeout): a sequential drain never gets there.
     */
    private static final class Overlap implements Consumer<ReceivedMail> {
        private final AtomicInteger inData = new AtomicInteger();
        private final AtomicBoolean holding = new AtomicBoolean();
        volatile boolean armed;
        volatile boolean seen;

        @Override
        public void accept(ReceivedMail mail) {
            if (!armed) {
                return;
            }
            if (inData.incrementAndGet() > 1) {
                seen = true;
            }
            try {
                if (holding.compareAndSet(false, true)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> seen);
                }
            } catch (ConditionTimeoutException alone) {
                // No second mail came while this one was held: seen stays false, and the test says so.
            } finally {
                inData.decrementAndGet();
            }
        }
    }
}
