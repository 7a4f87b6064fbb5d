package io.mailgateway;

import java.time.Instant;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.suppress.Suppression;

/**
 * {@code java -jar mail-gateway.jar suppress add ADDRESS [REASON [TENANT]]} and {@code suppress remove ADDRESS
 * [unsubscribe TENANT]}: adds an address to the suppression list, or lifts its entry, by writing the record (or tombstone) the
 * gateway reads. Uses the gateway's own KAFKA_BOOTSTRAP_SERVERS and GATEWAY_TOPIC_SUPPRESSIONS variables.
 */
public final class SuppressCommand {

    private static final String USAGE = "usage: java -jar mail-gateway.jar suppress add ADDRESS [REASON [TENANT]]\n"
            + "       java -jar mail-gateway.jar suppress remove ADDRESS [unsubscribe TENANT]\n"
            + "REASON: manual (default), unsubscribe, complaint or hard-bounce\n"
            + "TENANT: only with unsubscribe, which then stops only that tenant's bulk mail (without it, every"
            + " tenant's); remove ADDRESS unsubscribe TENANT lifts that tenant's unsubscribe";

    private SuppressCommand() {
    }

    static int run(String[] args) {
        boolean add = args.length >= 2 && args.length <= 4 && args[0].equals("add");
        boolean remove = (args.length == 2 || args.length == 4) && args[0].equals("remove");
        String reason = args.length >= 3 ? args[2] : Suppression.MANUAL;
        String tenant = args.length == 4 ? args[3] : null;
        // Only an unsubscribe is ever a tenant's own: every other entry stops mail of all tenants.
        boolean tenantAllowed = tenant == null || !tenant.isBlank() && reason.equals(Suppression.UNSUBSCRIBE);
        if (!(add || remove) || !args[1].contains("@") || !Suppression.REASONS.contains(reason) || !tenantAllowed) {
            System.err.println(USAGE);
            return 2;
        }
        String bootstrap = env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        String topic = env("GATEWAY_TOPIC_SUPPRESSIONS", "mail.suppressions");
        String scope = tenant == null ? "" : " for tenant " + tenant;
        if (add) {
            add(bootstrap, topic, new Suppression(args[1].trim(), reason, tenant, Instant.now(), null));
            System.out.println("suppressed " + Suppression.normalize(args[1]) + " (" + reason + ")" + scope);
        } else {
            write(bootstrap, new ProducerRecord<>(topic, tenant == null ? Suppression.normalize(args[1])
                    : Suppression.unsubscribeKey(tenant, args[1]), null));
            System.out.println("lifted " + Suppression.normalize(args[1]) + scope);
        }
        return 0;
    }

    /** Writes the entry under its {@link Suppression#key()}; returns once the broker has acknowledged it. */
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
