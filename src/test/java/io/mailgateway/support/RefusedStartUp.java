package io.mailgateway.support;

import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.main.Main;
import org.assertj.core.api.Assertions;

import io.mailgateway.MailGateway;

/** Starts the gateway with settings it must refuse, and hands back the root cause of the refusal. */
public final class RefusedStartUp {

    private RefusedStartUp() {
    }

    /** No broker is needed: the settings are checked before the gateway connects to one. */
    public static Throwable rootCause(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(settings);
        properties.put("camel.management.port", String.valueOf(FreePorts.next()));
        properties.put("camel.component.kafka.brokers", "127.0.0.1:" + FreePorts.next());
        Main main = MailGateway.newMain(properties);
        try {
            Throwable failure = catchThrowable(main::start);
            Assertions.assertThat(failure).as("start-up with %s", settings).isNotNull();
            Throwable root = failure;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return root;
        } finally {
            main.stop();
        }
    }
}
