package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specifies how tenants are bound to the topics their requests arrive on, and which topic settings stop start-up. */
class TenantTopicsTest {

    private static final List<String> GATEWAY_TOPICS = List.of("mail.outbound", "mail.results", "mail.dlq",
            "mail.retry", "mail.state", "mail.suppressions", "mail.events");

    @TempDir
    Path tempDir;

    @Test
    void thePatternGivesEveryTenantWithoutATopicOfItsOwnItsTopic() throws IOException {
        Tenants tenants = load("""
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                  globex:
                    topic: globex-requests
                """);

        assertThat(tenants.topicBound()).isTrue();
        assertThat(tenants.find("acme").orElseThrow().topic()).isEqualTo("mail.outbound.acme");
        assertThat(tenants.find("globex").orElseThrow().topic()).isEqualTo("globex-requests");
        assertThat(tenants.requestTopics()).containsExactly("mail.outbound", "mail.outbound.acme", "globex-requests");
        assertThat(tenants.tenantOfTopic("globex-requests")).map(Tenant::id).contains("globex");
        assertThat(tenants.tenantOfTopic("mail.outbound")).isEmpty();
    }

    @Test
    void withoutPatternOrTopicsTenantsAreNamedByTheirTagAndOnlyTheSharedTopicIsRead() throws IOException {
        Tenants tenants = load("""
                tenants:
                  acme:
                    from: shop@acme.example
                """);

        assertThat(tenants.topicBound()).isFalse();
        assertThat(tenants.find("acme").orElseThrow().topic()).isNull();
        assertThat(tenants.requestTopics()).containsExactly("mail.outbound");
        assertThat(Tenants.none("mail.outbound").requestTopics()).containsExactly("mail.outbound");
    }

    @Test
    void oneTenantWithATopicBindsThemAllSoATenantWithoutOneStopsStartUpNamingIt() throws IOException {
        assertThatThrownBy(() -> load("""
                tenants:
                  acme:
                    topic: mail.outbound.acme
                  globex:
                    from: hello@globex.example
                """)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.globex.topic is missing");
    }

    @Test
    void aPatternWithoutThePlaceholderStopsStartUpNamingTheKey() throws IOException {
        assertThatThrownBy(() -> load("""
                topicPattern: mail.outbound.tenant
                tenants:
                  acme:
                """)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topicPattern")
                .hasMessageContaining("{tenant}");
    }

    @Test
    void aTenantIdThatCannotBePartOfATopicNameStopsStartUpNamingTheTenant() throws IOException {
        assertThatThrownBy(() -> load("""
                topicPattern: mail.outbound.{tenant}
                tenants:
                  "acme shop":
                """)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.acme shop")
                .hasMessageContaining("cannot be part of a Kafka topic name");
    }

    @Test
    void aTopicThatIsNoKafkaTopicNameStopsStartUpNamingTheKey() throws IOException {
        assertThatThrownBy(() -> load("""
                tenants:
                  acme:
                    topic: "mail/outbound"
                """)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.acme.topic");
    }

    @Test
    void twoTenantsOnOneTopicStopStartUpNamingBoth() throws IOException {
        assertThatThrownBy(() -> load("""
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                  globex:
                    topic: mail.outbound.acme
                """)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.globex.topic")
                .hasMessageContaining("already the topic of tenant acme");
    }

    @Test
    void aTenantOnOneOfTheGatewaysOwnTopicsStopsStartUpNamingTheKey() throws IOException {
        for (String own : List.of("mail.outbound", "mail.retry", "mail.results", "mail.state")) {
            assertThatThrownBy(() -> load("""
                    tenants:
                      acme:
                        topic: %s
                    """.formatted(own))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tenants.acme.topic")
                    .hasMessageContaining("one of the gateway's own topics");
        }
    }

    private Tenants load(String yaml) throws IOException {
        Path file = Files.writeString(tempDir.resolve("tenants.yaml"), yaml);
        return Tenants.load(file, "mail.outbound", GATEWAY_TOPICS);
    }
}
