package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SuppressCommandTest {

    @Test
    void wrongUsageExitsWithTwoBeforeTouchingKafka() {
        assertThat(SuppressCommand.run(new String[] {})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"add"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"add", "not-an-address"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"add", "a@example.org", "because"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"remove", "a@example.org", "manual"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"list"})).isEqualTo(2);
    }

    @Test
    void aTenantIsTakenOnlyForAnUnsubscribe() {
        assertThat(SuppressCommand.run(new String[] {"add", "a@example.org", "hard-bounce", "acme"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"add", "a@example.org", "manual", "acme"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"remove", "a@example.org", "manual", "acme"})).isEqualTo(2);
        assertThat(SuppressCommand.run(new String[] {"add", "a@example.org", "unsubscribe", " "})).isEqualTo(2);
    }
}
