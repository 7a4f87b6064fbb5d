package io.mailgateway.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Prints every record of the delivery events topic as it arrives, so local mode shows what happens after the 250. */
public final class LocalEventsPrinter implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;

    private LocalEventsPrinter(KafkaConsumer<String, String> consumer, String topic, PrintStream out) {
        this.consumer = consumer;
        this.thread = new Thread(() -> {
            consumer.subscribe(List.of(topic));
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<String, String> event : consumer.poll(Duration.ofMillis(500))) {
                        out.printf("event  %s  %s%n", event.key(), event.value());
                    }
                }
            } catch (WakeupException closing) {
                // close() asked the loop to end
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, "local-events-printer");
        thread.setDaemon(true);
    }

    public static LocalEventsPrinter start(String bootstrapServers, String topic, PrintStream out) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "local-events-printer");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        LocalEventsPrinter printer = new LocalEventsPrinter(new KafkaConsumer<>(properties), topic, out);
        printer.thread.start();
        return printer;
    }

    @Override
    public void close() {
        consumer.wakeup();
    }
}
