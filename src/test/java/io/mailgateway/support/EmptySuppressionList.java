package io.mailgateway.support;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.suppress.SuppressionList;

/** For route tests without Kafka: no address is suppressed, and hard bounces are not recorded. */
public final class EmptySuppressionList extends SuppressionList {

    public EmptySuppressionList() {
        // Never connects: no method that would talk to Kafka is left.
        super(new KafkaClients(Map.of("bootstrap.servers", "localhost:1")), "mail.suppressions", Duration.ofDays(365),
                Clock.systemUTC());
    }

    @Override
    public Set<String> suppressedRecipients(MailRequest request, boolean bulk) {
        return Set.of();
    }

    @Override
    public void addHardBounces(DeliveryResult result) {
    }

    @Override
    public void start() {
    }
}
