package io.mailgateway.background;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Camel service doing background work for the gateway: Camel starts and stops it once however often it is
 * registered, and lends it the threads it runs on.
 */
public abstract class BackgroundService extends ServiceSupport implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundService.class);

    private CamelContext camelContext;

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** Camel's thread pools, which this service's threads come from. */
    protected ExecutorServiceManager executors() {
        if (camelContext == null) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + " runs on Camel's threads, but was given no CamelContext");
        }
        return camelContext.getExecutorServiceManager();
    }

    /**
     * Closes each resource in turn, also when closing an earlier one failed, so that one broken client does not keep
     * the others open; a failure is logged, not thrown, as the service is going away anyway.
     */
    protected static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("Stopping a background service did not close all it held: {}", SupervisedThread.describe(e));
            }
        }
    }

    /** Stops the service; unlike {@link org.apache.camel.Service#close()}, declares no checked exception. */
    @Override
    public void close() {
        stop();
    }
}
