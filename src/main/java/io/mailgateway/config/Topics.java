package io.mailgateway.config;

/**
 * The Kafka topics the gateway reads and writes, and the consumer group its instances share.
 *
 * <p>Owns {@code gateway.topic.*} and {@code gateway.group-id}.
 */
public record Topics(String outbound, String results, String deadLetters, String retry, String state,
        String suppressions, String events, String groupId) {

    public static Topics from(Settings source) {
        return new Topics(source.text("gateway.topic.outbound"), source.text("gateway.topic.results"),
                source.text("gateway.topic.dlq"), source.text("gateway.topic.retry"),
                source.text("gateway.topic.state"), source.text("gateway.topic.suppressions"),
                source.text("gateway.topic.events"), source.text("gateway.group-id"));
    }
}
