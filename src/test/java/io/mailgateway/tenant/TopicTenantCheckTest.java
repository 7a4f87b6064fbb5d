package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/** Specifies that a request's tenant follows from the topic it arrived on once the tenants file binds topics. */
class TopicTenantCheckTest {

    @TempDir
    Path tempDir;

    private TopicTenantCheck check;

    @BeforeEach
    void topicBoundTenants() throws IOException {
        Path file = Files.writeString(tempDir.resolve("tenants.yaml"), """
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                  globex:
                """);
        check = new TopicTenantCheck(Tenants.load(file, "mail.outbound", List.of("mail.outbound", "mail.retry")));
    }

    @Test
    void aRequestOnATenantTopicWithoutTenantTagGetsTheTenantOfItsTopic() {
        MailRequest checked = check.check("mail.outbound.acme", request(Map.of("kind", "order")));

        assertThat(checked.tags()).containsEntry("tenant", "acme").containsEntry("kind", "order");
    }

    @Test
    void aRequestNamingTheTenantOfItsTopicPassesUnchanged() {
        MailRequest request = request(Map.of("tenant", "acme"));

        assertThat(check.check("mail.outbound.acme", request)).isSameAs(request);
    }

    @Test
    void aRequestOnOneTenantsTopicNamingAnotherIsRejectedNamingTheTag() {
        RequestRejectedException rejected = rejection("mail.outbound.acme", request(Map.of("tenant", "globex")));

        assertThat(rejected.category()).isEqualTo(RequestRejectedException.INVALID_REQUEST);
        assertThat(rejected.detail()).startsWith("tags.tenant:").contains("globex").contains("mail.outbound.acme");
        assertThat(rejected.requestId()).isEqualTo("order-1");
        assertThat(rejected.tags()).containsEntry("tenant", "globex");
    }

    @Test
    void aRequestOnTheSharedTopicNamingATenantIsRejectedNamingTheTag() {
        RequestRejectedException rejected = rejection("mail.outbound", request(Map.of("tenant", "acme")));

        assertThat(rejected.category()).isEqualTo(RequestRejectedException.INVALID_REQUEST);
        assertThat(rejected.detail()).startsWith("tags.tenant:").contains("shared topic");
    }

    @Test
    void aRequestOnTheSharedTopicWithoutTenantPassesUnchanged() {
        MailRequest request = request(Map.of());

        assertThat(check.check("mail.outbound", request)).isSameAs(request);
    }

    @Test
    void withoutTenantTopicsTheTagSelectsTheTenantAsBefore() throws IOException {
        Path file = Files.writeString(tempDir.resolve("tag-tenants.yaml"), "tenants:\n  acme:\n");
        TopicTenantCheck trusting = new TopicTenantCheck(Tenants.load(file, "mail.outbound", List.of("mail.outbound")));
        MailRequest request = request(Map.of("tenant", "acme"));

        assertThat(trusting.check("mail.outbound", request)).isSameAs(request);
    }

    private RequestRejectedException rejection(String topic, MailRequest request) {
        return catchThrowableOfType(() -> check.check(topic, request), RequestRejectedException.class);
    }

    private static MailRequest request(Map<String, String> tags) {
        return new MailRequest("order-1", null, null, null, null, List.of(new MailAddress("alice@example.org", null)),
                null, null, "Hello", "Hi", null, null, null, null, tags);
    }
}
