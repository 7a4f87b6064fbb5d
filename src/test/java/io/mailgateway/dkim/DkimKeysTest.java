package io.mailgateway.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.dkim.DkimKey.Algorithm;

class DkimKeysTest {

    private static final Duration RESCAN = Duration.ofSeconds(5);
    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path keysDir;

    private Instant now = START;
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @Test
    void readsOneKeyPerDomainFolderAndSelectorFileWithTheDnsRecordToPublish() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "2026-rsa", 2048);
        TestKeys.ed25519(keysDir, "shop.example", "2026-ed");
        TestKeys.rsa(keysDir, "News.Example", "s1", 3072);
        Files.writeString(keysDir.resolve("shop.example").resolve("README"), "not a key, not a .pem file");

        List<DkimKey> keys = DkimKeys.read(keysDir);

        assertThat(keys).extracting(DkimKey::dnsName)
                .containsExactly("s1._domainkey.news.example", "2026-ed._domainkey.shop.example",
                        "2026-rsa._domainkey.shop.example");
        DkimKey ed = keys.get(1);
        assertThat(ed.algorithm()).isEqualTo(Algorithm.ED25519);
        assertThat(ed.dnsRecord()).startsWith("v=DKIM1; k=ed25519; p=");
        assertThat(Base64.getDecoder().decode(ed.dnsRecord().substring(ed.dnsRecord().indexOf("p=") + 2)))
                .hasSize(32);
        assertThat(keys.get(2).dnsRecord()).startsWith("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A");
        assertThat(DkimKeys.load(keysDir, RESCAN, clock).signingKeys("SHOP.example"))
                .extracting(DkimKey::algorithm).containsExactlyInAnyOrder(Algorithm.RSA, Algorithm.ED25519);
    }

    @Test
    void refusesAnRsaKeyUnder2048Bits() {
        Path weak = TestKeys.rsa(keysDir, "shop.example", "old", 1024);

        assertThatThrownBy(() -> DkimKeys.load(keysDir, RESCAN, clock))
                .isInstanceOf(InvalidDkimKeyException.class)
                .hasMessageContaining(weak.toString()).hasMessageContaining("1024 bits").hasNoCause();
    }

    @Test
    void refusesAKeyThatIsNotPkcs8WithoutQuotingIt() throws Exception {
        Path pkcs1 = TestKeys.rsaPkcs1(keysDir, "shop.example", "s1");
        String content = Files.readString(pkcs1);

        assertThatThrownBy(() -> DkimKeys.load(keysDir, RESCAN, clock))
                .isInstanceOf(InvalidDkimKeyException.class)
                .hasMessageContaining(pkcs1.toString()).hasMessageContaining("PKCS#8").hasNoCause()
                .satisfies(e -> content.lines().filter(line -> !line.startsWith("-----"))
                        .forEach(line -> assertThat(e.getMessage()).doesNotContain(line.substring(0, 16))));
    }

    @Test
    void refusesKeysOfOtherAlgorithmsAndFilesThatAreNoKeys() {
        Path ec = TestKeys.ecP256(keysDir, "shop.example", "ec");
        assertThatThrownBy(() -> DkimKeys.load(keysDir, RESCAN, clock))
                .hasMessageContaining(ec.toString()).hasMessageContaining("RSA (2048 bits or more) or Ed25519");

        Path garbage = TestKeys.write(keysDir, "shop.example", "ec", "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n"
                + "-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DkimKeys.load(keysDir, RESCAN, clock))
                .hasMessageContaining(garbage.toString()).hasMessageNotContaining("c2VjcmV0").hasNoCause();
    }

    @Test
    void theNewestFileOfAnAlgorithmSignsForItsDomain() {
        TestKeys.modifiedAt(TestKeys.rsa(keysDir, "shop.example", "2026-06", 2048), START.minus(Duration.ofDays(90)));
        TestKeys.modifiedAt(TestKeys.rsa(keysDir, "shop.example", "2026-12", 2048), START.minus(Duration.ofDays(1)));
        TestKeys.modifiedAt(TestKeys.rsa(keysDir, "shop.example", "2025-12", 2048), START.minus(Duration.ofDays(365)));

        assertThat(DkimKeys.load(keysDir, RESCAN, clock).signingKeys("shop.example"))
                .extracting(DkimKey::selector).containsExactly("2026-12");
    }

    @Test
    void aNewSelectorSignsOnceTheDirectoryIsReadAgainWithoutARestart() {
        TestKeys.modifiedAt(TestKeys.rsa(keysDir, "shop.example", "old", 2048), START.minus(Duration.ofDays(30)));
        DkimKeys keys = DkimKeys.load(keysDir, RESCAN, clock);
        assertThat(keys.signingKeys("shop.example")).extracting(DkimKey::selector).containsExactly("old");

        TestKeys.rsa(keysDir, "shop.example", "new", 2048);
        TestKeys.ed25519(keysDir, "news.example", "ed");
        assertThat(keys.signingKeys("shop.example")).as("before the rescan interval passed")
                .extracting(DkimKey::selector).containsExactly("old");

        now = now.plus(RESCAN);
        assertThat(keys.signingKeys("shop.example")).extracting(DkimKey::selector).containsExactly("new");
        assertThat(keys.domains()).containsExactlyInAnyOrder("shop.example", "news.example");
    }

    @Test
    void aBrokenNewFileIsIgnoredAndTheKeyBeforeKeepsSigning() {
        TestKeys.modifiedAt(TestKeys.rsa(keysDir, "shop.example", "old", 2048), START.minus(Duration.ofDays(30)));
        DkimKeys keys = DkimKeys.load(keysDir, RESCAN, clock);

        TestKeys.rsa(keysDir, "shop.example", "weak", 1024);
        TestKeys.write(keysDir, "shop.example", "garbage", "hello");
        now = now.plus(RESCAN);

        assertThat(keys.signingKeys("shop.example")).extracting(DkimKey::selector).containsExactly("old");
    }

    @Test
    void aRemovedKeyStopsSigning() throws Exception {
        Path only = TestKeys.ed25519(keysDir, "shop.example", "ed");
        DkimKeys keys = DkimKeys.load(keysDir, RESCAN, clock);

        Files.delete(only);
        now = now.plus(RESCAN);

        assertThat(keys.signingKeys("shop.example")).isEmpty();
    }

    @Test
    void followsTheSymlinksOfAKubernetesSecretMount() throws Exception {
        Path version = keysDir.resolve("..2026_12_01_10_00_00.123");
        TestKeys.rsa(version, "shop.example", "s1", 2048);
        Files.createSymbolicLink(keysDir.resolve("..data"), version.getFileName());
        Files.createSymbolicLink(keysDir.resolve("shop.example"), Path.of("..data", "shop.example"));

        assertThat(DkimKeys.read(keysDir)).extracting(DkimKey::dnsName)
                .containsExactly("s1._domainkey.shop.example");
    }

    @Test
    void aKeyNamesItsFileButNeverItsSecret() {
        DkimKey key = DkimKeys.read(keysDirWith(TestKeys.ed25519(keysDir, "shop.example", "ed"))).get(0);

        assertThat(key.toString()).contains("ed._domainkey.shop.example")
                .doesNotContain(Base64.getEncoder().encodeToString(key.privateKey().getEncoded()));
    }

    private Path keysDirWith(Path keyFile) {
        return keyFile.getParent().getParent();
    }
}
