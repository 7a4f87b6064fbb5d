package io.mailgateway.senderchecks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mailgateway.senderchecks.SpfEvaluator.Result;

class SpfEvaluatorTest {

    private final FakeDns dns = new FakeDns();
    private final SpfEvaluator spf = new SpfEvaluator(dns);

    @Test
    void ip4MatchesItsAddressAndNetwork() {
        dns.txt("acme.example", "v=spf1 ip4:192.0.2.10 ip4:198.51.100.0/24 -all");
        assertEquals(Result.PASS, result("192.0.2.10"));
        assertEquals(Result.PASS, result("198.51.100.77"));
        assertEquals(Result.FAIL, result("192.0.2.11"));
    }

    @Test
    void ip6MatchesItsNetworkAndNotAnIpv4Address() {
        dns.txt("acme.example", "v=spf1 ip6:2001:db8::/32 ~all");
        assertEquals(Result.PASS, result("2001:db8:1::5"));
        assertEquals(Result.SOFTFAIL, result("2001:db9::5"));
        assertEquals(Result.SOFTFAIL, result("192.0.2.10"));
    }

    @Test
    void aMatchesTheAddressesOfTheDomainOrTheNamedHostWithAPrefix() {
        dns.txt("acme.example", "v=spf1 a a:relay.acme.example/24 -all");
        dns.address("acme.example", "192.0.2.1");
        dns.address("relay.acme.example", "203.0.113.9");
        assertEquals(Result.PASS, result("192.0.2.1"));
        assertEquals(Result.PASS, result("203.0.113.200"));
        assertEquals(Result.FAIL, result("192.0.2.2"));
    }

    @Test
    void mxMatchesTheAddressesOfTheMailExchangers() {
        dns.txt("acme.example", "v=spf1 mx -all");
        dns.mx("acme.example", "mx1.acme.example", "mx2.acme.example");
        dns.address("mx1.acme.example", "192.0.2.21");
        dns.address("mx2.acme.example", "192.0.2.22");
        assertEquals(Result.PASS, result("192.0.2.22"));
        assertEquals(Result.FAIL, result("192.0.2.23"));
    }

    @Test
    void includeMatchesOnlyWhenTheIncludedRecordPasses() {
        dns.txt("acme.example", "v=spf1 include:relay.example ?all");
        dns.txt("relay.example", "v=spf1 ip4:192.0.2.50 -all");
        assertEquals(Result.PASS, result("192.0.2.50"));
        // The included record's -all is a non-match, so the including record goes on to its own ?all.
        assertEquals(Result.NEUTRAL, result("192.0.2.51"));
    }

    @Test
    void includeOfADomainWithoutSpfIsAPermanentError() {
        dns.txt("acme.example", "v=spf1 include:nothing.example -all");
        assertEquals(Result.PERMERROR, result("192.0.2.1"));
    }

    @Test
    void redirectUsesTheOtherDomainsRecordWhenNoTermMatches() {
        dns.txt("acme.example", "v=spf1 ip4:192.0.2.1 redirect=_spf.acme.example");
        dns.txt("_spf.acme.example", "v=spf1 ip4:192.0.2.2 -all");
        assertEquals(Result.PASS, result("192.0.2.1"));
        assertEquals(Result.PASS, result("192.0.2.2"));
        assertEquals(Result.FAIL, result("192.0.2.3"));
    }

    @Test
    void withoutAMatchingTermOrAllTheResultIsNeutral() {
        dns.txt("acme.example", "v=spf1 ip4:192.0.2.1");
        assertEquals(Result.NEUTRAL, result("192.0.2.9"));
    }

    @Test
    void allTakesItsQualifier() {
        dns.txt("acme.example", "v=spf1 +all");
        assertEquals(Result.PASS, result("203.0.113.1"));
    }

    @Test
    void aDomainWithoutSpfRecordHasNone() {
        dns.txt("acme.example", "google-site-verification=abc");
        assertEquals(Result.NONE, result("192.0.2.1"));
    }

    @Test
    void twoSpfRecordsAreAPermanentError() {
        dns.txt("acme.example", "v=spf1 ip4:192.0.2.1 -all");
        dns.txt("acme.example", "v=spf1 ip4:192.0.2.2 -all");
        assertEquals(Result.PERMERROR, result("192.0.2.1"));
    }

    @Test
    void tenDnsQueryingTermsAreAllowed() {
        StringBuilder record = new StringBuilder("v=spf1");
        for (int i = 1; i <= 9; i++) {
            record.append(" include:i").append(i).append(".example");
            dns.txt("i" + i + ".example", "v=spf1 ip4:198.51.100." + i);
        }
        record.append(" include:last.example -all");
        dns.txt("last.example", "v=spf1 ip4:192.0.2.1");
        dns.txt("acme.example", record.toString());
        assertEquals(Result.PASS, result("192.0.2.1"));
    }

    @Test
    void theEleventhDnsQueryingTermIsAPermanentErrorCountingNestedOnes() {
        // 1 include here, whose record has 5 a terms and 5 mx terms: 11 in all.
        dns.txt("acme.example", "v=spf1 include:deep.example ip4:192.0.2.1 -all");
        StringBuilder deep = new StringBuilder("v=spf1");
        for (int i = 1; i <= 5; i++) {
            deep.append(" a:a").append(i).append(".example mx:m").append(i).append(".example");
        }
        dns.txt("deep.example", deep.toString());
        SpfEvaluator.Verdict verdict = spf.check(ip("192.0.2.1"), "acme.example");
        assertEquals(Result.PERMERROR, verdict.result());
        assertTrue(verdict.reason().contains("more than 10 DNS-querying terms"), verdict.reason());
        assertTrue(verdict.reason().contains("mx:m5.example"), verdict.reason());
        assertTrue(dns.queried.contains("mx m4.example") && !dns.queried.contains("mx m5.example"),
                "the 11th term is not looked up: " + dns.queried);
    }

    @Test
    void aMacroIsReportedAsNotEvaluated() {
        dns.txt("acme.example", "v=spf1 exists:%{i}._spf.acme.example -all");
        assertEquals(Result.UNEVALUATED, result("192.0.2.1"));
    }

    @Test
    void anUnknownMechanismIsAPermanentError() {
        dns.txt("acme.example", "v=spf1 ip5:192.0.2.1 -all");
        assertEquals(Result.PERMERROR, result("192.0.2.1"));
    }

    private Result result(String address) {
        return spf.check(ip(address), "acme.example").result();
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final class FakeDns implements DnsRecords {
        private final Map<String, List<String>> txt = new HashMap<>();
        private final Map<String, List<InetAddress>> addresses = new HashMap<>();
        private final Map<String, List<String>> mx = new HashMap<>();
        final List<String> queried = new ArrayList<>();

        void txt(String name, String record) {
            txt.computeIfAbsent(name, n -> new ArrayList<>()).add(record);
        }

        void address(String name, String address) {
            addresses.computeIfAbsent(name, n -> new ArrayList<>()).add(ip(address));
        }

        void mx(String name, String... hosts) {
            mx.put(name, List.of(hosts));
        }

        @Override
        public List<String> txt(String name) {
            queried.add("txt " + name);
            return txt.getOrDefault(name, List.of());
        }

        @Override
        public List<InetAddress> addresses(String name) {
            queried.add("a " + name);
            return addresses.getOrDefault(name, List.of());
        }

        @Override
        public List<String> mailExchangers(String name) {
            queried.add("mx " + name);
            return mx.getOrDefault(name, List.of());
        }
    }
}
