package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specifies where the send command writes a tenant's requests: the tenant's own topic. */
class SendCommandTest {

    @TempDir
    Path tempDir;

    @Test
    void aTenantsRequestsGoToItsTopic() throws IOException {
        Path file = Files.writeString(tempDir.resolve("tenants.yaml"), """
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                  globex:
                    topic: globex.requests
                """);

        assertThat(SendCommand.tenantTopic("acme", file.toString())).isEqualTo("mail.outbound.acme");
        assertThat(SendCommand.tenantTopic("globex", file.toString())).isEqualTo("globex.requests");
    }

    @Test
    void anUnknownTenantIsRefusedNamingIt() throws IOException {
        Path file = Files.writeString(tempDir.resolve("tenants.yaml"), """
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                """);

        assertThatThrownBy(() -> SendCommand.tenantTopic("initech", file.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tenant 'initech'");
    }

    @Test
    void aTenantsFileWithoutTopicsIsRefusedPointingToTheTag() throws IOException {
        Path file = Files.writeString(tempDir.resolve("tenants.yaml"), "tenants:\n  acme:\n");

        assertThatThrownBy(() -> SendCommand.tenantTopic("acme", file.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags.tenant");
        assertThatThrownBy(() -> SendCommand.tenantTopic("acme", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GATEWAY_TENANTS_FILE");
    }
}
