package io.mailgateway.senderchecks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Checks a sending domain's SPF, DKIM and DMARC records against how the gateway sends its mail. */
public final class DomainCheck {

    /** What a check found for one From domain. */
    public record Report(String domain, String envelopeDomain, List<Finding> findings) {

        public boolean hasProblems() {
            return findings.stream().anyMatch(Finding::problem);
        }
    }

    private final DnsRecords dns;
    private final List<String> relayHosts;
    private final Optional<String> bounceDomain;
    private final Optional<DkimPublicKeys> dkimKeys;

    /**
     * @param relayHosts   the hosts the gateway submits to
     * @param bounceDomain the envelope-sender domain of VERP return paths, when they are on
     * @param dkimKeys     the configured signing keys, when signing is on
     */
    public DomainCheck(DnsRecords dns, List<String> relayHosts, Optional<String> bounceDomain,
            Optional<DkimPublicKeys> dkimKeys) {
        this.dns = dns;
        this.relayHosts = List.copyOf(relayHosts);
        this.bounceDomain = bounceDomain.map(domain -> domain.toLowerCase(Locale.ROOT));
        this.dkimKeys = dkimKeys;
    }

    /** The note to print with a report: SPF is checked for the submission hosts only. */
    public static String spfNote() {
        return SpfCheck.SUBMISSION_HOST_NOTE;
    }

    /**
     * @throws DnsLookupException when a DNS server did not answer: the check cannot say what is published
     */
    public Report check(String fromDomain) {
        String domain = fromDomain.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        String envelopeDomain = bounceDomain.orElse(domain);
        List<Finding> findings = new ArrayList<>();
        SpfCheck.Outcome spf = new SpfCheck(dns).check(envelopeDomain, relays());
        findings.addAll(spf.findings());
        List<DkimPublicKeys.Key> keys = dkimKeys.map(keysDir -> keysDir.keys(domain)).orElse(List.of());
        List<Finding> dkim = new DkimCheck(dns).check(keys);
        if (keys.isEmpty()) {
            findings.add(Finding.warning("DKIM", dkimKeys.isEmpty() ? "DKIM signing is off (GATEWAY_DKIM_KEYS_DIR is "
                    + "not set): mail from " + domain + " is not signed" : "no DKIM key for " + domain + " in "
                    + "GATEWAY_DKIM_KEYS_DIR: mail from it is not signed", null));
        }
        findings.addAll(dkim);
        boolean dkimAligned = dkim.stream().anyMatch(finding -> finding.status() == Finding.Status.OK);
        findings.addAll(new DmarcCheck(dns).check(domain, envelopeDomain, dkimAligned, spf.authorisesAll()));
        return new Report(domain, envelopeDomain, findings);
    }

    private List<RelayHost> relays() {
        return relayHosts.stream().distinct().map(host -> {
            InetAddress literal = DnsLookups.literal(host);
            return new RelayHost(host, literal != null ? List.of(literal) : addresses(host));
        }).toList();
    }

    /** The relay's addresses from the DNS servers checked, else as the gateway finds them when it connects. */
    private List<InetAddress> addresses(String host) {
        try {
            List<InetAddress> addresses = dns.addresses(host);
            if (!addresses.isEmpty()) {
                return addresses;
            }
        } catch (DnsLookupException e) {
            // A name such as localhost, or one in the hosts file, is not in DNS: ask the system's resolver too.
        }
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    }
}
