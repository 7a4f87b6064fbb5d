package io.mailgateway.config;

import io.mailgateway.events.EventPublisher;

/** The publisher of delivery events to the events topic ({@link Topics#events()}). */
final class EventsConfiguration {

    private EventsConfiguration() {
    }

    static EventPublisher bind(Wiring wiring, KafkaSettings kafka, Topics topics) throws Exception {
        EventPublisher publisher = wiring.bind("eventPublisher", new EventPublisher(kafka.clients(), topics.events()));
        wiring.startWithCamel(publisher);
        return publisher;
    }
}
