package io.mailgateway.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.junit.jupiter.api.Test;

/** A background service starts and stops once however often Camel asks, and closes all it holds when it stops. */
class BackgroundServiceTest {

    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void startsAndStopsOnceHoweverOftenItIsAsked() {
        Recording service = new Recording(false);
        service.setCamelContext(new DefaultCamelContext());

        service.start();
        service.start();
        service.stop();
        service.close();

        assertThat(events).containsExactly("started", "closed first", "closed second");
    }

    @Test
    void aResourceThatFailsToCloseDoesNotKeepTheOthersOpen() {
        Recording service = new Recording(true);

        service.close();

        assertThat(events).containsExactly("closed second");
        assertThat(service.isStopped()).isTrue();
    }

    @Test
    void itsThreadsComeFromTheCamelContextItWasGiven() {
        DefaultCamelContext camel = new DefaultCamelContext();
        Recording service = new Recording(false);
        service.setCamelContext(camel);

        assertThat(service.threads()).isSameAs(camel.getExecutorServiceManager());
    }

    @Test
    void withoutACamelContextStartingSaysWhatIsMissing() {
        Recording service = new Recording(false) {
            @Override
            protected void doStart() {
                threads();
            }
        };

        assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CamelContext");
    }

    private class Recording extends BackgroundService {
        private final boolean firstFails;

        Recording(boolean firstFails) {
            this.firstFails = firstFails;
        }

        ExecutorServiceManager threads() {
            return executors();
        }

        @Override
        protected void doStart() {
            events.add("started");
        }

        @Override
        protected void doStop() {
            closeAll(() -> {
                if (firstFails) {
                    throw new IllegalStateException("broken client");
                }
                events.add("closed first");
            }, () -> events.add("closed second"));
        }
    }
}
