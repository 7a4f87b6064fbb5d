package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.support.InJvmGateway;

/**
 * VERP through the whole gateway: a request from Kafka with two recipients reaches the relay as two copies, each
 * with an envelope sender that the gateway's return paths map back to the request id and that recipient.
 */
class ReturnPathDeliveryIT {

    private static final String BOUNCE_DOMAIN = "bounces.acme.example";

    @Test
    void eachRecipientsCopyCarriesAReturnPathNamingTheRequestAndTheRecipient(@TempDir Path work) throws Exception {
        Path secret = Files.write(work.resolve("bounce-secret"),
                UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        try (InJvmGateway gateway = InJvmGateway.start(work, Map.of(
                "gateway.bounce.domain", BOUNCE_DOMAIN,
                "gateway.bounce.secret-file", secret.toString()))) {
            String id = "verp-" + UUID.randomUUID();
            gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["alice@example.org", "bob@example.net"], "subject": "s", "text": "t"}"""
                    .formatted(id));

            JsonNode result = gateway.results().awaitStatus(id, "SENT");
            assertThat(result.path("recipients")).hasSize(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.relay().server().received().size() == 2);

            ReturnPaths returnPaths = gateway.bean("returnPaths", ReturnPaths.class);
            List<ReceivedMail> received = gateway.relay().server().received();
            assertThat(received).extracting(mail -> mail.envelopeRecipients().size()).containsExactly(1, 1);
            assertThat(received).flatExtracting(ReceivedMail::envelopeRecipients)
                    .containsExactlyInAnyOrder("alice@example.org", "bob@example.net");
            for (ReceivedMail mail : received) {
                String recipient = mail.envelopeRecipients().get(0);
                assertThat(mail.envelopeFrom()).endsWith("@" + BOUNCE_DOMAIN);
                ReturnPaths.Token token = returnPaths.parse(mail.envelopeFrom()).orElseThrow();
                assertThat(returnPaths.matches(token, id, recipient)).isTrue();
                assertThat(mail.toMimeMessage().getFrom()[0].toString()).isEqualTo("noreply@acme.example");
            }
        }
    }
}
