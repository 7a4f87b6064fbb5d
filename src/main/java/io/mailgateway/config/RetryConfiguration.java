package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.result.ResultFactory;
import io.mailgateway.retry.RetryPlanner;
import io.mailgateway.retry.RetryQueue;

/** Plans the next attempt of a deferred request and reads the retry topic: see {@link RetrySettings}. */
final class RetryConfiguration {

    private RetryConfiguration() {
    }

    static void bind(Wiring wiring, RetrySettings settings, KafkaSettings kafka, Topics topics, ResultFactory results,
            Clock clock) throws Exception {
        wiring.bind("retryPlanner", new RetryPlanner(results, settings.schedule(), clock));
        RetryQueue queue = wiring.bind("retryQueue", new RetryQueue(kafka.clients(), topics.retry(),
                topics.groupId() + ".retry", clock, kafka.restartBackoff(), wiring.metrics()::poisonRecord));
        wiring.registerWhenStarted(queue.healthCheck());
        wiring.metrics().gauge("mail.gateway.retry.backlog", "Deferred requests waiting on the retry topic", queue,
                RetryQueue::backlog);
        wiring.metrics().gauge("mail.gateway.retry.oldest.age.seconds",
                "Age of the longest-waiting deferred request at the head of the retry topic, since first received",
                queue, RetryQueue::oldestAgeSeconds);
        wiring.startWithCamel(queue);
    }
}
