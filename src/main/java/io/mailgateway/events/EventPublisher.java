package io.mailgateway.events;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.mailgateway.kafka.KafkaClients;

/**
 * Publishes delivery events to the events topic, keyed by request id, and returns only once every in-sync replica
 * has them: a caller that got no exception may forget the report the event came from.
 */
public class EventPublisher extends ServiceSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(KafkaClients clients, String topic) {
        this.topic = topic;
        this.producer = clients.stateWriter();
    }

    /** @throws IllegalStateException when the broker did not acknowledge it (the cause names why, not the event) */
    public void publish(DeliveryEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.id(), toJson(event))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing a delivery event to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish a delivery event to " + topic, e.getCause());
        }
    }

    public String topic() {
        return topic;
    }

    /** The event's record value. */
    public static byte[] toJson(DeliveryEvent event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (Exception e) {
            throw new IllegalStateException("a delivery event is always JSON", e);
        }
    }

    /** Reads a record value of the events topic. */
    public static DeliveryEvent fromJson(byte[] value) throws IOException {
        return JSON.readValue(value, DeliveryEvent.class);
    }

    @Override
    protected void doStop() {
        producer.close(Duration.ofSeconds(5));
    }
}
