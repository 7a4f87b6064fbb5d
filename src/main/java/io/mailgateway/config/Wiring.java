package io.mailgateway.config;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Service;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;

import io.mailgateway.metrics.GatewayMetrics;

/** Binds beans under the names the routes call them by, and ties services and health checks to Camel's lifecycle. */
final class Wiring {

    private final CamelContext context;
    private final GatewayMetrics metrics;

    Wiring(CamelContext context, GatewayMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
    }

    CamelContext context() {
        return context;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    /** Binds as {@code @BindToRegistry} did: a bean that wants the CamelContext gets it first. */
    <T> T bind(String name, T bean) {
        CamelContextAware.trySetCamelContext(bean, context);
        context.getRegistry().bind(name, bean);
        return bean;
    }

    /** Started with Camel and stopped with it, after the routes. */
    void startWithCamel(Service service) throws Exception {
        context.addService(service, true, true);
    }

    /**
     * Started once Camel has fully started and stopped with it: for a service that starts or stops routes itself,
     * which Camel would otherwise set up again after it (a route it does not start at start-up stays stopped).
     */
    void startOnceStarted(Service service) throws Exception {
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // not yet: the routes are settled only when Camel has fully started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) throws Exception {
                started.addService(service, true, true);
            }
        });
    }

    /**
     * Registered once Camel has started: the health registry in use is settled only then; by then Camel's meter
     * registry exists too, so poison records counted before show at once.
     */
    void registerWhenStarted(HealthCheck check) throws Exception {
        context.addStartupListener((started, alreadyStarted) -> {
            HealthCheckRegistry.get(started).register(check);
            MetricsConfiguration.readinessGauge(this, check);
            metrics.bindIfReady();
        });
    }
}
