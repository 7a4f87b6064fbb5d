package io.mailgateway.support;

import org.apache.camel.builder.AdviceWithRouteBuilder;

/**
 * Puts {@code mock:smtp} in place of the deliver route's submit step, so a route test sees what would be submitted
 * and answers for the relay by setting the body to a submission outcome.
 */
public class MockRelay extends AdviceWithRouteBuilder {

    @Override
    public void configure() {
        weaveById("submit").replace().to("mock:smtp");
    }
}
