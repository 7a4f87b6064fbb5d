package io.mailgateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.Dnsmasq;
import io.mailgateway.support.FreePorts;
import io.mailgateway.tls.Pem;

/**
 * {@code check-domain} against records served by a real DNS server (dnsmasq): a domain set up right passes, and
 * each broken record is reported with the record to publish.
 */
class CheckDomainCommandIT {

    private static final String RELAY = "relay.gw.test";
    private static final String RELAY_IP = "192.0.2.10";

    @TempDir
    static Path keysDir;

    private static Dnsmasq dns;
    private static KeyPair rsa;
    private static KeyPair ed25519;
    private static KeyPair otherRsa;

    @BeforeAll
    static void serveRecords() throws Exception {
        rsa = keyPair("RSA");
        ed25519 = keyPair("Ed25519");
        otherRsa = keyPair("RSA");
        Dnsmasq.Records records = new Dnsmasq.Records().zone("test").host(RELAY, RELAY_IP);

        // Everything right: SPF through mx and an include, RSA and Ed25519 keys published, DMARC reject.
        key("good.test", "s1", rsa);
        key("good.test", "e1", ed25519);
        records.txt("good.test", "v=spf1 mx include:_spf.good.test -all")
                .mx("good.test", "mx.good.test", 10).host("mx.good.test", "198.51.100.25")
                .txt("_spf.good.test", "v=spf1 a:" + RELAY + " -all")
                .txt("s1._domainkey.good.test", "v=DKIM1; k=rsa; p=" + rsaPublic(rsa))
                .txt("e1._domainkey.good.test", "v=DKIM1; k=ed25519; p=" + ed25519Public(ed25519))
                .txt("_dmarc.good.test", "v=DMARC1; p=reject; rua=mailto:dmarc@good.test");

        wellSetUp(records, "spf-elsewhere.test").txt("spf-elsewhere.test", "v=spf1 ip4:198.51.100.1 -all");
        wellSetUp(records, "spf-missing.test").txt("spf-missing.test", "google-site-verification=abc");
        wellSetUp(records, "spf-twice.test").txt("spf-twice.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("spf-twice.test", "v=spf1 include:_spf.mailer.test ~all");

        key("dkim-other.test", "s1", rsa);
        records.txt("dkim-other.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("s1._domainkey.dkim-other.test", "v=DKIM1; k=rsa; p=" + rsaPublic(otherRsa))
                .txt("_dmarc.dkim-other.test", "v=DMARC1; p=reject");

        key("dkim-missing.test", "s1", rsa);
        records.txt("dkim-missing.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("_dmarc.dkim-missing.test", "v=DMARC1; p=reject");

        key("dmarc-missing.test", "s1", rsa);
        records.txt("dmarc-missing.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("s1._domainkey.dmarc-missing.test", "v=DKIM1; k=rsa; p=" + rsaPublic(rsa));

        key("dmarc-none.test", "s1", rsa);
        records.txt("dmarc-none.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("s1._domainkey.dmarc-none.test", "v=DKIM1; k=rsa; p=" + rsaPublic(rsa))
                .txt("_dmarc.dmarc-none.test", "v=DMARC1; p=none; rua=mailto:dmarc@dmarc-none.test");

        // VERP: the envelope sender is in the bounce domain, whose SPF record is the one that counts.
        key("verp.test", "s1", rsa);
        records.txt("verp.test", "v=spf1 -all")
                .txt("bounces.verp.test", "v=spf1 ip4:" + RELAY_IP + " -all")
                .txt("s1._domainkey.verp.test", "v=DKIM1; k=rsa; p=" + rsaPublic(rsa))
                .txt("_dmarc.verp.test", "v=DMARC1; p=quarantine");
        dns = Dnsmasq.start(records);
    }

    @AfterAll
    static void stopDns() {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void aDomainSetUpRightPassesWithEveryCheckOk() {
        Run run = checkDomain("good.test");
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.has("OK       SPF good.test: good.test authorises relay " + RELAY + " (" + RELAY_IP + ")"),
                run.output);
        assertTrue(run.has("OK       DKIM s1._domainkey.good.test: the rsa key of selector s1"), run.output);
        assertTrue(run.has("OK       DKIM e1._domainkey.good.test: the ed25519 key of selector e1"), run.output);
        assertTrue(run.has("OK       DMARC: the DMARC record at _dmarc.good.test has policy reject"), run.output);
        assertTrue(run.has("OK       DMARC alignment: DKIM aligned (d=good.test), SPF aligned (good.test)"),
                run.output);
        assertTrue(!run.output.contains("WARNING") && !run.output.contains("publish:"), run.output);
        assertTrue(run.has("Note: SPF is checked for the hosts the gateway submits to"), run.output);
        assertTrue(run.has("nothing missing or wrong"), run.output);
    }

    @Test
    void anSpfRecordNotAuthorisingTheRelayIsWrongWithTheRelayAdded() {
        Run run = checkDomain("spf-elsewhere.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("WRONG    SPF spf-elsewhere.test: spf-elsewhere.test's SPF record does not authorise relay "
                + RELAY + " (" + RELAY_IP + ") (fail: -all in spf-elsewhere.test's SPF record matches " + RELAY_IP
                + ")"), run.output);
        assertTrue(run.has("publish: spf-elsewhere.test TXT \"v=spf1 ip4:198.51.100.1 ip4:" + RELAY_IP + " -all\""),
                run.output);
        // Without SPF passing, only DKIM aligns.
        assertTrue(run.has("OK       DMARC alignment: DKIM aligned (d=spf-elsewhere.test), SPF not aligned"),
                run.output);
    }

    @Test
    void aMissingSpfRecordIsMissingWithARecordForTheRelay() {
        Run run = checkDomain("spf-missing.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("MISSING  SPF spf-missing.test: no SPF record (TXT v=spf1) at spf-missing.test"),
                run.output);
        assertTrue(run.has("publish: spf-missing.test TXT \"v=spf1 ip4:" + RELAY_IP + " ~all\""), run.output);
    }

    @Test
    void twoSpfRecordsAreWrongWithOneMergedRecord() {
        Run run = checkDomain("spf-twice.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("WRONG    SPF spf-twice.test: 2 SPF records at spf-twice.test"), run.output);
        // The terms of both, and ~all where their "all" terms disagree.
        assertTrue(run.has("publish: spf-twice.test TXT \"v=spf1 include:_spf.mailer.test ip4:" + RELAY_IP
                + " ~all\""), run.output);
    }

    @Test
    void aDkimRecordWithAnotherKeyIsWrongWithTheConfiguredKeysRecord() {
        Run run = checkDomain("dkim-other.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("WRONG    DKIM s1._domainkey.dkim-other.test: the DKIM record at "
                + "s1._domainkey.dkim-other.test holds the public key of another key"), run.output);
        assertTrue(run.has("publish: " + dkimRecord("s1._domainkey.dkim-other.test", "rsa", rsaPublic(rsa))),
                run.output);
        // SPF still aligns, so DMARC passes on SPF alone.
        assertTrue(run.has("WARNING  DMARC alignment: DKIM not aligned (no key of dkim-other.test"),
                run.output);
    }

    @Test
    void aMissingDkimRecordIsMissingWithTheRecordToPublish() {
        Run run = checkDomain("dkim-missing.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("MISSING  DKIM s1._domainkey.dkim-missing.test: no DKIM record at "
                + "s1._domainkey.dkim-missing.test"), run.output);
        assertTrue(run.has("publish: " + dkimRecord("s1._domainkey.dkim-missing.test", "rsa", rsaPublic(rsa))),
                run.output);
        // SPF still aligns, so DMARC passes on SPF alone.
        assertTrue(run.has("WARNING  DMARC alignment: DKIM not aligned"), run.output);
    }

    @Test
    void aMissingDmarcRecordIsMissingWithAQuarantineRecord() {
        Run run = checkDomain("dmarc-missing.test");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("MISSING  DMARC: no DMARC record (TXT v=DMARC1) at _dmarc.dmarc-missing.test"), run.output);
        assertTrue(run.has("publish: _dmarc.dmarc-missing.test TXT \"v=DMARC1; p=quarantine; "
                + "rua=mailto:dmarc-reports@dmarc-missing.test\""), run.output);
    }

    @Test
    void aDmarcPolicyOfNoneIsAWarningWithTheStrongerRecordAndExitsZero() {
        Run run = checkDomain("dmarc-none.test");
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.has("WARNING  DMARC: the DMARC policy at _dmarc.dmarc-none.test is none"), run.output);
        assertTrue(run.has("publish: _dmarc.dmarc-none.test TXT \"v=DMARC1; p=quarantine; "
                + "rua=mailto:dmarc@dmarc-none.test\""), run.output);
    }

    @Test
    void withVerpTheBounceDomainsSpfRecordIsChecked() {
        Run run = checkDomain("verp.test", "gateway.bounce.domain", "bounces.verp.test");
        assertEquals(0, run.exitCode, run.output);
        assertTrue(run.has("envelope-sender (SPF) domain: bounces.verp.test (GATEWAY_BOUNCE_DOMAIN)"), run.output);
        assertTrue(run.has("OK       SPF bounces.verp.test: bounces.verp.test authorises relay " + RELAY), run.output);
        assertTrue(run.has("SPF aligned (bounces.verp.test)"), run.output);
    }

    @Test
    void anUnansweredDnsServerEndsTheCheckWithExitCodeOne() {
        Run run = checkDomain("good.test", "gateway.dns.servers", "127.0.0.1:" + FreePorts.next(),
                "gateway.dns.timeout-ms", "300");
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.errors.contains("cannot check good.test: DNS lookup of"), run.errors);
    }

    @Test
    void anUnusableKeyFileIsWrongNamingTheFileNotItsContent(@TempDir Path brokenKeys) throws Exception {
        Path file = Files.createDirectories(brokenKeys.resolve("good.test")).resolve("s1.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        Run run = checkDomain("good.test", "gateway.dkim.keys-dir", brokenKeys.toString());
        assertEquals(1, run.exitCode, run.output);
        assertTrue(run.has("WRONG    DKIM good.test: DKIM key " + file), run.output);
        assertTrue(!run.output.contains("bm90IGEga2V5"), run.output);
    }

    @Test
    void badUsageExitsTwo() {
        assertEquals(2, checkDomain("not a domain").exitCode);
        assertEquals(2, CheckDomainCommand.run(new String[0], Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())));
        Run badServers = checkDomain("good.test", "gateway.dns.servers", "127.0.0.1:99999");
        assertEquals(2, badServers.exitCode);
        assertTrue(badServers.errors.contains("GATEWAY_DNS_SERVERS"), badServers.errors);
    }

    private record Run(int exitCode, String output, String errors) {
        boolean has(String text) {
            return output.contains(text);
        }
    }

    private static Run checkDomain(String domain, String... settings) {
        Map<String, String> overrides = new HashMap<>(Map.of("gateway.smtp.host", RELAY,
                "gateway.dns.servers", dns.server(), "gateway.dns.timeout-ms", "2000",
                "gateway.dkim.keys-dir", keysDir.toString()));
        for (int i = 0; i < settings.length; i += 2) {
            overrides.put(settings[i], settings[i + 1]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = CheckDomainCommand.run(new String[] {domain}, overrides,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Dnsmasq.Records wellSetUp(Dnsmasq.Records records, String domain) throws Exception {
        key(domain, "s1", rsa);
        return records.txt("s1._domainkey." + domain, "v=DKIM1; k=rsa; p=" + rsaPublic(rsa))
                .txt("_dmarc." + domain, "v=DMARC1; p=reject");
    }

    private static void key(String domain, String selector, KeyPair pair) throws Exception {
        Path folder = Files.createDirectories(keysDir.resolve(domain));
        Pem.write(folder.resolve(selector + ".pem"), pair.getPrivate());
    }

    private static KeyPair keyPair(String algorithm) throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static String rsaPublic(KeyPair pair) {
        return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    /** RFC 8463: the raw 32-byte key, which ends the X.509 encoding. */
    private static String ed25519Public(KeyPair pair) {
        byte[] encoded = pair.getPublic().getEncoded();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    /** A DKIM TXT record in zone-file form: strings of at most 255 characters. */
    private static String dkimRecord(String name, String type, String publicKey) {
        String value = "v=DKIM1; k=" + type + "; p=" + publicKey;
        StringBuilder record = new StringBuilder(name + " TXT");
        for (int start = 0; start < value.length(); start += 255) {
            record.append(" \"").append(value, start, Math.min(value.length(), start + 255)).append('"');
        }
        return record.toString();
    }
}
