package io.mailgateway;

import java.time.Instant;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.suppress.Suppression;

/**
 * {@code java -jar mail-gateway.jar suppress add ADDRESS [REASON]} and {@code suppress remove ADDRESS}: adds an
 * address to the suppression list, or lifts its entry, by writing the record (or tombstone) the gateway reads.
 * Uses the gateway's own KAFKA_BOOTSTRAP_SERVERS and GATEWAY_TOPIC_SUPPRESSIONS variables.
 */
public final class SuppressCommand {

    private static final String USAGE = "usage: java -jar mail-gateway.jar suppress add ADDRESS [REASON]\n"
            + "       java -jar mail-gateway.jar suppress remove ADDRESS\n"
            + "REASON: manual (default), unsubscribe, complaint or hard-bounce";

    private SuppressCommand() {
    }

    static int run(String[] args) {
        boolean add = args.length >= 2 && args.length <= 3 && args[0].equals("add");
        boolean remove = args.length == 2 && args[0].equals("remove");
        String reason = args.length == 3 ? args[2] : Suppression.MANUAL;
        if (!(add || remove) || !args[1].contains("@") || !Suppression.REASONS.contains(reason)) {
            System.err.println(USAGE);
            return 2;
        }
        String bootstrap = env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        String topic = env("GATEWAY_TOPIC_SUPPRESSIONS", "mail.suppressions");
        if (add) {
            add(bootstrap, topic, new Suppression(args[1].trim(), reason, null, Instant.now(), null));
            System.out.println("suppressed " + Suppression.normalize(args[1]) + " (" + reason + ")");
        } else {
            remove(bootstrap, topic, args[1]);
            System.out.println("lifted " + Suppression.normalize(args[1]));
        }
        return 0;
    }

    /** Writes the entry, keyed by its normalised address; returns once the broker has acknowledged it. */
    public static void add(String bootstrap, String topic, Suppression entry) {
        write(bootstrap, new ProducerRecord<>(topic, entry.key(), entry.toJson()));
    }

    /** Writes a tombstone for the address, which lifts its entry. */
    public static void remove(String bootstrap, String topic, String address) {
        write(bootstrap, new ProducerRecord<>(topic, Suppression.normalize(address), null));
    }

    private static void write(String bootstrap, ProducerRecord<String, byte[]> record) {
        // The gateway's own writer of its state: the same guarantees as when the gateway records a hard bounce.
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        try (KafkaProducer<String, byte[]> producer = clients.stateWriter()) {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
