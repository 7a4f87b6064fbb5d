package io.mailgateway.background;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one piece of background work: DOWN, with the reason its owner gives, while the work is not running
 * or not caught up, so that an instance that cannot honour the gateway's promises says so instead of waiting quietly.
 */
public final class BackgroundHealthCheck extends AbstractHealthCheck {

    private final Supplier<String> problem;

    /**
     * @param id      the check's name in the health details, e.g. "suppression-list"
     * @param problem what keeps the work from being ready, or null while it is ready
     */
    public BackgroundHealthCheck(String id, Supplier<String> problem) {
        super("gateway", id);
        this.problem = problem;
    }

    @Override
    public boolean isLiveness() {
        // Restarting is the cure; killing the instance would only lose what it has read so far.
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason = problem.get();
        if (reason == null) {
            builder.up();
        } else {
            builder.message(reason).down();
        }
    }
}
