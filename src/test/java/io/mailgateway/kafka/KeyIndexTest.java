package io.mailgateway.kafka;

import static io.mailgateway.kafka.CompactedTopicFollower.location;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The key index under forced collisions: every key hashes to the same slot, and only the fingerprint tells keys
 * apart. Each key keeps its own entry whatever order its records arrive in, and dropping one never drops another.
 */
class KeyIndexTest {

    private static KeyIndex everyKeyInOneSlot() {
        return new KeyIndex(true, key -> 1L, key -> key.hashCode());
    }

    @Test
    void collidingKeysKeepTheirOwnEntries() {
        KeyIndex index = everyKeyInOneSlot();

        index.put("alice@example.org", location(0, 5), 50);
        index.put("bob@example.org", location(0, 6), 60);

        assertThat(index.location("alice@example.org")).isEqualTo(location(0, 5));
        assertThat(index.value("alice@example.org")).isEqualTo(50);
        assertThat(index.location("bob@example.org")).isEqualTo(location(0, 6));
        assertThat(index.value("bob@example.org")).isEqualTo(60);
        assertThat(index.location("carol@example.org")).isEqualTo(KeyIndex.NONE);
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.collisions()).isEqualTo(1);
    }

    @Test
    void aTombstoneDropsOnlyItsOwnKeyWhicheverHoldsTheSlot() {
        KeyIndex first = everyKeyInOneSlot();
        first.put("alice@example.org", location(0, 5), 50);
        first.put("bob@example.org", location(0, 6), 60);
        first.remove("alice@example.org", location(0, 7));
        assertThat(first.location("alice@example.org")).isEqualTo(KeyIndex.NONE);
        assertThat(first.location("bob@example.org")).isEqualTo(location(0, 6));

        KeyIndex second = everyKeyInOneSlot();
        second.put("alice@example.org", location(0, 5), 50);
        second.put("bob@example.org", location(0, 6), 60);
        second.remove("bob@example.org", location(0, 7));
        assertThat(second.location("bob@example.org")).isEqualTo(KeyIndex.NONE);
        assertThat(second.location("alice@example.org")).isEqualTo(location(0, 5));
        // the freed slot takes the next key; the one in overflow stays found
        second.put("bob@example.org", location(0, 8), 80);
        second.remove("alice@example.org", location(0, 9));
        assertThat(second.location("bob@example.org")).isEqualTo(location(0, 8));
        assertThat(second.size()).isEqualTo(1);
    }

    @Test
    void anOlderRecordReadLateNeitherReplacesNorDropsANewerEntry() {
        KeyIndex index = everyKeyInOneSlot();
        index.put("alice@example.org", location(0, 5), 50);
        index.put("bob@example.org", location(0, 9), 90);

        assertThat(index.put("bob@example.org", location(0, 3), 30)).isFalse();
        assertThat(index.remove("bob@example.org", location(0, 4))).isFalse();
        assertThat(index.remove("alice@example.org", location(0, 2))).isFalse();

        assertThat(index.location("bob@example.org")).isEqualTo(location(0, 9));
        assertThat(index.value("bob@example.org")).isEqualTo(90);
        assertThat(index.location("alice@example.org")).isEqualTo(location(0, 5));
    }

    @Test
    void forgettingARecordDropsTheKeyWhoseLatestRecordItIsAndNoOther() {
        KeyIndex index = everyKeyInOneSlot();
        index.put("alice@example.org", location(0, 5), 0);
        index.put("bob@example.org", location(0, 6), 0);
        index.put("alice@example.org", location(0, 7), 0);

        // alice's first record is no longer her latest: forgetting it drops nothing
        assertThat(index.forgetRecord(1L, location(0, 5))).isFalse();
        assertThat(index.forgetRecord(1L, location(0, 6))).isTrue();

        assertThat(index.location("bob@example.org")).isEqualTo(KeyIndex.NONE);
        assertThat(index.location("alice@example.org")).isEqualTo(location(0, 7));
        assertThat(index.forgetRecord(1L, location(0, 7))).isTrue();
        assertThat(index.size()).isZero();
    }

    @Test
    void removingByValueDropsMatchingEntriesInTheSlotAndInOverflow() {
        KeyIndex index = everyKeyInOneSlot();
        index.put("alice@example.org", location(0, 1), 100);
        index.put("bob@example.org", location(0, 2), 200);
        index.put("carol@example.org", location(0, 3), 300);

        long[] dropped = index.removeIf(expiry -> expiry < 250);

        assertThat(dropped).containsExactlyInAnyOrder(location(0, 1), location(0, 2));
        assertThat(index.location("carol@example.org")).isEqualTo(location(0, 3));
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void aMillionKeysWithValuesTakeLessThanHundredMebibytes() {
        // the suppression list's form: a location and a value per key, and no key held
        KeyIndex index = new KeyIndex(true);
        int keys = 1_000_000;
        for (int i = 0; i < keys; i++) {
            index.put("reader-" + i + "@example.org", location(i % 6, i), i);
        }

        assertThat(index.size()).isEqualTo(keys);
        long bytes = index.ramBytesAllocated();
        System.out.printf("key index with values: %d keys in %.1f MiB (%d bytes per key)%n",
                keys, bytes / 1048576.0, bytes / keys);
        assertThat(bytes).isLessThan(100L * 1024 * 1024);
    }

    @Test
    void theDefaultHashAndFingerprintAreIndependent() {
        assertThat(KeyIndex.fingerprint("alice@example.org"))
                .isNotEqualTo(CompactedTopicFollower.hash("alice@example.org"));
        KeyIndex index = new KeyIndex(false);
        index.put("alice@example.org", location(2, 40), 0);
        assertThat(index.location("alice@example.org")).isEqualTo(location(2, 40));
        assertThat(index.locationOfSlot(CompactedTopicFollower.hash("alice@example.org"))).isEqualTo(location(2, 40));
    }
}
