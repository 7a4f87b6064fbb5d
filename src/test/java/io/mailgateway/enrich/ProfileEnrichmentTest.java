package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;

/** Specifies whose profile is looked up, how it joins the template data, and what each failure policy does. */
class ProfileEnrichmentTest {

    private static final ProfileUrlTemplate URL = ProfileUrlTemplate.parse("https://profiles.internal/{address}");
    private static final Map<String, Object> ADA = Map.of("firstName", "Ada");

    private final ProfileCache cache = new ProfileCache(Duration.ofMinutes(10), 100);

    @Test
    void theOnlyRecipientIsLookedUp() {
        assertThat(enrichment(ProfileFailurePolicy.CONTINUE).recipient(request(List.of("ada@example.org"), List.of(),
                Map.of()))).isEqualTo("ada@example.org");
    }

    @Test
    void theSameAddressTwiceIsStillOneRecipient() {
        MailRequest request = request(List.of("ada@example.org"), List.of("ADA@example.org"), Map.of());

        assertThat(enrichment(ProfileFailurePolicy.CONTINUE).recipient(request)).isEqualTo("ada@example.org");
    }

    @Test
    void aMailToSeveralRecipientsIsNotLookedUp() {
        MailRequest request = request(List.of("ada@example.org"), List.of("grace@example.org"), Map.of());

        assertThat(enrichment(ProfileFailurePolicy.CONTINUE).recipient(request)).isNull();
    }

    @Test
    void aRequestWithItsOwnProfileIsNotLookedUp() {
        MailRequest request = request(List.of("ada@example.org"), List.of(), Map.of("profile", Map.of("x", 1)));

        assertThat(enrichment(ProfileFailurePolicy.CONTINUE).recipient(request)).isNull();
    }

    @Test
    void nothingIsLookedUpWhileTheFeatureIsOff() {
        ProfileEnrichment off = ProfileEnrichment.off();

        assertThat(off.enabled()).isFalse();
        assertThat(off.recipient(request(List.of("ada@example.org"), List.of(), Map.of()))).isNull();
    }

    @Test
    void theProfileJoinsTheTemplateDataUnderProfile() {
        MailRequest request = request(List.of("ada@example.org"), List.of(), Map.of("orderNo", 7));

        MailRequest enriched = enrichment(ProfileFailurePolicy.CONTINUE).apply(request, new ProfileLookup.Found(ADA));

        assertThat(enriched.data()).containsEntry("orderNo", 7).containsEntry("profile", ADA);
        assertThat(enriched.to()).isEqualTo(request.to());
        assertThat(enriched.id()).isEqualTo(request.id());
    }

    @Test
    void theRequestsOwnProfileWins() {
        Map<String, Object> own = Map.of("firstName", "Own");

        assertThat(ProfileEnrichment.merged(Map.of("profile", own), ADA)).containsEntry("profile", own);
    }

    @Test
    void noProfileAndNoLookupLeaveTheRequestAsItIs() {
        MailRequest request = request(List.of("ada@example.org"), List.of(), Map.of("orderNo", 7));
        ProfileEnrichment enrichment = enrichment(ProfileFailurePolicy.FAIL);

        assertThat(enrichment.apply(request, new ProfileLookup.Absent())).isSameAs(request);
        assertThat(enrichment.apply(request, null)).isSameAs(request);
    }

    @Test
    void eachPolicyHandlesAFailedLookupItsWay() {
        MailRequest request = request(List.of("ada@example.org"), List.of(), Map.of());
        ProfileLookup failed = new ProfileLookup.Failed("profile lookup failed: timeout after 2000 ms");

        assertThat(enrichment(ProfileFailurePolicy.CONTINUE).apply(request, failed)).isSameAs(request);
        assertThatThrownBy(() -> enrichment(ProfileFailurePolicy.DEFER).apply(request, failed))
                .isInstanceOfSatisfying(ProfileLookupException.class, e -> {
                    assertThat(e.deferred()).isTrue();
                    assertThat(e.detail()).isEqualTo("profile lookup failed: timeout after 2000 ms");
                });
        assertThatThrownBy(() -> enrichment(ProfileFailurePolicy.FAIL).apply(request, failed))
                .isInstanceOfSatisfying(ProfileLookupException.class, e -> assertThat(e.deferred()).isFalse());
    }

    @Test
    void policiesAreNamedInLowerCase() {
        assertThat(ProfileFailurePolicy.parse(" Defer ")).isEqualTo(ProfileFailurePolicy.DEFER);
        assertThatThrownBy(() -> ProfileFailurePolicy.parse("retry")).hasMessageContaining("continue, defer or fail");
    }

    @Test
    void onlyAJsonObjectIsAProfile() {
        assertThat(ProfileResponses.parse(bytes("{\"firstName\": \"Ada\", \"tags\": [1, 2], \"note\": null}")))
                .isInstanceOfSatisfying(ProfileLookup.Found.class, found -> assertThat(found.profile())
                        .containsEntry("firstName", "Ada").containsEntry("tags", List.of(1, 2)).containsKey("note"));
        assertThat(ProfileResponses.parse(bytes("[1]"))).isInstanceOf(ProfileLookup.Failed.class);
        assertThat(ProfileResponses.parse(bytes("\"Ada\""))).isInstanceOf(ProfileLookup.Failed.class);
        assertThat(ProfileResponses.parse(bytes("{not json"))).isInstanceOf(ProfileLookup.Failed.class);
        assertThat(ProfileResponses.parse(new byte[0])).isInstanceOf(ProfileLookup.Failed.class);
    }

    @Test
    void profilesAndAbsencesAreRememberedButFailuresAreNot() {
        cache.remember("ada@example.org", new ProfileLookup.Found(ADA));
        cache.remember("nobody@example.org", new ProfileLookup.Absent());
        cache.remember("down@example.org", new ProfileLookup.Failed("profile lookup failed: timeout after 2000 ms"));

        assertThat(cache.find("ada@example.org")).isEqualTo(new ProfileLookup.Found(ADA));
        assertThat(cache.find("nobody@example.org")).isEqualTo(new ProfileLookup.Absent());
        assertThat(cache.find("down@example.org")).isNull();
    }

    @Test
    void aCacheOfSizeOrLifetimeZeroRemembersNothing() {
        ProfileCache none = new ProfileCache(Duration.ZERO, 100);
        none.remember("ada@example.org", new ProfileLookup.Found(ADA));

        assertThat(none.find("ada@example.org")).isNull();
        assertThat(new ProfileCache(Duration.ofMinutes(1), 0).find("ada@example.org")).isNull();
    }

    @Test
    void anAuthorizationValueMustBeOneLine() {
        assertThatThrownBy(() -> new ProfileHttpClient("Bearer abc\r\nX-Evil: 1", 1024, Duration.ofSeconds(1)))
                .hasMessageContaining("GATEWAY_PROFILE_AUTH_HEADER_FILE")
                .hasMessageNotContaining("abc");
        assertThat(new ProfileHttpClient("Bearer abc", 1024, Duration.ofSeconds(1)).toString()).doesNotContain("abc");
    }

    private ProfileEnrichment enrichment(ProfileFailurePolicy policy) {
        return new ProfileEnrichment(URL, cache, policy, () -> {
        });
    }

    private static MailRequest request(List<String> to, List<String> bcc, Map<String, Object> data) {
        return new MailRequest("order-1", "greeting", null, null, null, addresses(to), List.of(), addresses(bcc), null,
                null, null, data, List.of(), Map.of(), Map.of());
    }

    private static List<MailAddress> addresses(List<String> addresses) {
        return addresses.stream().map(a -> new MailAddress(a, null)).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
