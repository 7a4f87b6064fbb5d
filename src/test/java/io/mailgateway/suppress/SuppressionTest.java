package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuppressionTest {

    private static final Instant ADDED = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void addressesAreNormalisedTrimmedAndInLowerCase() {
        assertThat(Suppression.normalize("  Alice.Smith@Example.ORG\t")).isEqualTo("alice.smith@example.org");
        assertThat(new Suppression("Bob@Example.org", "manual", null, ADDED, null).key()).isEqualTo("bob@example.org");
    }

    @Test
    void recordValueReadsBackAsTheSameEntry() {
        Suppression entry = new Suppression("Bob@Example.org", "unsubscribe", "acme", ADDED, ADDED.plusSeconds(60));

        assertThat(Suppression.fromJson(entry.key(), entry.toJson(), Instant.EPOCH)).isEqualTo(entry);
        assertThat(new String(entry.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"address\":\"Bob@Example.org\","
                + "\"reason\":\"unsubscribe\",\"tenant\":\"acme\",\"addedAt\":\"2026-12-01T10:00:00Z\","
                + "\"expiresAt\":\"2026-12-01T10:01:00Z\"}");
    }

    @Test
    void entryWithoutAddedAtCountsFromTheRecordTimestamp() {
        Suppression entry = Suppression.fromJson("a@example.org", json("{\"address\": \"a@example.org\", \"reason\": \"manual\"}"), ADDED);

        assertThat(entry.addedAt()).isEqualTo(ADDED);
        assertThat(entry.effectiveExpiry(Duration.ofDays(365))).isEqualTo(ADDED.plus(Duration.ofDays(365)));
    }

    @Test
    void explicitExpiryWinsOverTheTimeToLive() {
        Suppression entry = new Suppression("a@example.org", "complaint", null, ADDED, ADDED.plusSeconds(5));

        assertThat(entry.effectiveExpiry(Duration.ofDays(365))).isEqualTo(ADDED.plusSeconds(5));
    }

    @Test
    void invalidRecordsNameTheFieldButNotTheAddress() {
        assertInvalid("a@example.org", "not json", "value: not JSON");
        assertInvalid("a@example.org", "[1]", "value: not a JSON object");
        assertInvalid("a@example.org", "{\"reason\": \"manual\"}", "address: missing");
        assertInvalid("a@example.org", "{\"address\": 42, \"reason\": \"manual\"}", "address: must be a string");
        assertInvalid("secret.person@example.org", "{\"address\": \"other@example.org\", \"reason\": \"manual\"}", "key: ");
        assertInvalid("a@example.org", "{\"address\": \"a@example.org\", \"reason\": \"because\"}", "reason: ");
        assertInvalid("a@example.org", "{\"address\": \"a@example.org\", \"reason\": \"manual\", \"expiresAt\": \"soon\"}",
                "expiresAt: ");
    }

    @Test
    void keyMayDifferFromTheAddressOnlyByNormalisation() {
        Suppression entry = Suppression.fromJson(" A@Example.org ", json("{\"address\": \"a@EXAMPLE.org\", \"reason\": \"manual\"}"),
                ADDED);

        assertThat(entry.key()).isEqualTo("a@example.org");
    }

    @Test
    void aTenantsUnsubscribeIsKeyedByTenantAndAddressAndEveryOtherEntryByAddress() {
        assertThat(new Suppression("Bob@Example.org", "unsubscribe", "acme", ADDED, null).key())
                .isEqualTo("acme:bob@example.org");
        assertThat(new Suppression("Bob@Example.org", "unsubscribe", null, ADDED, null).key())
                .isEqualTo("bob@example.org");
        assertThat(new Suppression("Bob@Example.org", "hard-bounce", "acme", ADDED, null).key())
                .isEqualTo("bob@example.org");
        assertThat(new Suppression("Bob@Example.org", "complaint", "acme", ADDED, null).tenantScoped()).isFalse();
    }

    @Test
    void tenantUnsubscribeKeysNeverMeetAnAddressOrAnotherTenantsKey() {
        // A tenant id with the separator in it cannot pose as a shorter tenant with a longer address.
        assertThat(Suppression.unsubscribeKey("a:b", "c@example.org"))
                .isNotEqualTo(Suppression.unsubscribeKey("a", "b:c@example.org"));
        assertThat(Suppression.unsubscribeKey("shop@acme", "c@example.org")).isEqualTo("shop%40acme:c@example.org");
        assertThat(Suppression.unsubscribeKey("x", "\"quoted:local\"@example.org")).startsWith("x:");
    }

    @Test
    void unsubscribeKeyedByAddressOnlyStillReadsAsAnEntryForEveryTenant() {
        Suppression old = Suppression.fromJson("bob@example.org",
                json("{\"address\": \"bob@example.org\", \"reason\": \"unsubscribe\", \"tenant\": \"acme\"}"), ADDED);
        Suppression scoped = Suppression.fromJson("acme:bob@example.org",
                json("{\"address\": \"bob@example.org\", \"reason\": \"unsubscribe\", \"tenant\": \"acme\"}"), ADDED);

        assertThat(old.tenant()).isEqualTo("acme");
        assertThat(scoped.key()).isEqualTo("acme:bob@example.org");
        assertInvalid("acme:bob@example.org", "{\"address\": \"bob@example.org\", \"reason\": \"manual\","
                + " \"tenant\": \"acme\"}", "key: ");
        assertInvalid("other:bob@example.org", "{\"address\": \"bob@example.org\", \"reason\": \"unsubscribe\","
                + " \"tenant\": \"acme\"}", "key: ");
    }

    @ParameterizedTest(name = "status {0} is a hard bounce: {1}")
    @CsvSource(nullValues = "none", value = {
            "5.1.1, true", "5.1.2, true", "5.1.10, true",
            "5.1.7, false", "5.1.8, false", "5.2.2, false", "4.1.1, false", "none, false"})
    void hardBouncesAreMailboxAndDomainFailuresNotSenderOnes(String enhancedStatus, boolean hardBounce) {
        assertThat(SuppressionList.hardBounce(enhancedStatus)).isEqualTo(hardBounce);
    }

    @Test
    void onlyAnUnsubscribeIsLimitedToBulkMail() {
        assertThat(new Suppression("a@example.org", Suppression.UNSUBSCRIBE, "acme", ADDED, null).bulkOnly()).isTrue();
        for (String reason : new String[] {Suppression.HARD_BOUNCE, Suppression.COMPLAINT, Suppression.MANUAL}) {
            assertThat(new Suppression("a@example.org", reason, null, ADDED, null).bulkOnly()).as(reason).isFalse();
        }
    }

    @ParameterizedTest(name = "{0} suppresses bulk mail: {2}, other mail: {3}")
    @CsvSource({
            "an unsubscribe entry, true,  true, false",
            "any other entry,      false, true, true"})
    void whatAnEntrySuppressesDependsOnWhetherOnlyBulkMailIsBarred(String entry, boolean bulkOnly,
            boolean suppressesBulk, boolean suppressesOther) {
        long now = ADDED.toEpochMilli();
        long packed = SuppressionEntries.packed(now + 60_000, bulkOnly);

        assertThat(SuppressionEntries.suppresses(packed, true, now)).isEqualTo(suppressesBulk);
        assertThat(SuppressionEntries.suppresses(packed, false, now)).isEqualTo(suppressesOther);
    }

    @Test
    void expiredEntriesSuppressNothingWhateverTheirReason() {
        long now = ADDED.toEpochMilli();
        for (boolean bulkOnly : new boolean[] {true, false}) {
            for (long expiry : new long[] {now, now - 1, -5_000, Long.MIN_VALUE}) {
                long entry = SuppressionEntries.packed(expiry, bulkOnly);
                assertThat(SuppressionEntries.suppresses(entry, true, now)).isFalse();
                assertThat(SuppressionEntries.suppresses(entry, false, now)).isFalse();
            }
        }
        // The flag never reads as a far-future expiry, and a far-future expiry never reads as the flag.
        long farFuture = SuppressionEntries.packed(Long.MAX_VALUE, false);
        assertThat(SuppressionEntries.suppresses(farFuture, false, now)).isTrue();
        assertThat(SuppressionEntries.suppresses(SuppressionEntries.packed(Long.MAX_VALUE, true), false, now)).isFalse();
    }

    private static void assertInvalid(String key, String value, String message) {
        assertThatThrownBy(() -> Suppression.fromJson(key, json(value), ADDED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("@");
    }

    private static byte[] json(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
