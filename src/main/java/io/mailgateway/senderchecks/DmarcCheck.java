package io.mailgateway.senderchecks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hc.client5.http.psl.PublicSuffixMatcherLoader;

/** The From domain's DMARC record (RFC 7489) and whether the gateway's mail aligns with it. */
final class DmarcCheck {

    private final DnsRecords dns;

    DmarcCheck(DnsRecords dns) {
        this.dns = dns;
    }

    /**
     * @param dkimAligned  a key of the From domain itself is published correctly, so signatures carry d= of it
     * @param spfPasses    the envelope-sender domain's SPF record authorises every relay
     */
    List<Finding> check(String domain, String envelopeDomain, boolean dkimAligned, boolean spfPasses) {
        List<Finding> findings = new ArrayList<>();
        String name = "_dmarc." + domain;
        String suggested = "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@" + domain;
        List<String> records = records(name);
        String organizational = organizationalDomain(domain);
        boolean inherited = false;
        if (records.isEmpty() && !organizational.equals(domain)) {
            // Policy discovery falls back to the organizational domain's record (RFC 7489 section 6.6.3).
            records = records("_dmarc." + organizational);
            inherited = true;
        }
        Map<String, String> tags = Map.of();
        if (records.isEmpty()) {
            findings.add(new Finding("DMARC", Finding.Status.MISSING, "no DMARC record (TXT v=DMARC1) at " + name,
                    Finding.txt(name, suggested)));
        } else if (records.size() > 1) {
            findings.add(new Finding("DMARC", Finding.Status.WRONG, records.size() + " DMARC records at "
                    + (inherited ? "_dmarc." + organizational : name) + " (receivers ignore them all): publish one",
                    Finding.txt(name, suggested)));
        } else {
            tags = DkimCheck.tags(records.get(0));
            findings.add(policy(name, inherited ? "_dmarc." + organizational : name, records.get(0), tags, inherited));
        }
        findings.add(alignment(domain, envelopeDomain, dkimAligned, spfPasses, tags));
        return findings;
    }

    private static Finding policy(String name, String foundAt, String record, Map<String, String> tags,
            boolean inherited) {
        String policy = inherited && tags.containsKey("sp") ? tags.get("sp") : tags.get("p");
        policy = policy == null ? null : policy.toLowerCase(Locale.ROOT);
        String stronger = record.replaceFirst("(?i)(^|;)(\\s*)p\\s*=\\s*none", "$1$2p=quarantine");
        if (policy == null || !List.of("none", "quarantine", "reject").contains(policy)) {
            return new Finding("DMARC", Finding.Status.WRONG, "the DMARC record at " + foundAt + " has no valid p= "
                    + "(none, quarantine or reject): " + record,
                    Finding.txt(name, "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@" + name.substring(7)));
        }
        if (policy.equals("none")) {
            return Finding.warning("DMARC", "the DMARC policy at " + foundAt + " is none: receivers only report, "
                    + "they do not act on mail that fails; move to quarantine once reports show all mail aligned",
                    Finding.txt(foundAt, stronger));
        }
        return Finding.ok("DMARC", "the DMARC record at " + foundAt + " has policy " + policy);
    }

    private static Finding alignment(String domain, String envelopeDomain, boolean dkimAligned, boolean spfPasses,
            Map<String, String> tags) {
        boolean strictSpf = "s".equalsIgnoreCase(tags.getOrDefault("aspf", "r"));
        String organizational = organizationalDomain(domain);
        boolean sameDomain = strictSpf ? envelopeDomain.equalsIgnoreCase(domain)
                : organizationalDomain(envelopeDomain).equals(organizational);
        boolean spfAligned = spfPasses && sameDomain;
        String dkim = dkimAligned ? "DKIM aligned (d=" + domain + ")"
                : "DKIM not aligned (no key of " + domain + " is both configured and published)";
        String spf;
        if (spfAligned) {
            spf = "SPF aligned (" + envelopeDomain + ")";
        } else if (sameDomain) {
            spf = "SPF not aligned (" + envelopeDomain + "'s SPF record does not authorise every relay)";
        } else {
            spf = "SPF not aligned (envelope sender " + envelopeDomain + " is outside "
                    + (strictSpf ? domain + ", and aspf=s" : "the organizational domain " + organizational) + ")";
        }
        if (dkimAligned) {
            return Finding.ok("DMARC alignment", dkim + ", " + spf);
        }
        if (spfAligned) {
            return Finding.warning("DMARC alignment", dkim + ", " + spf + ": DMARC passes on SPF alone, which "
                    + "forwarding breaks", null);
        }
        return new Finding("DMARC alignment", Finding.Status.WRONG, "mail from " + domain + " fails DMARC: " + dkim
                + ", " + spf, null);
    }

    private List<String> records(String name) {
        return dns.txt(name).stream()
                .filter(txt -> txt.toLowerCase(Locale.ROOT).replace(" ", "").startsWith("v=dmarc1;")
                        || txt.trim().equalsIgnoreCase("v=DMARC1"))
                .toList();
    }

    /**
     * The registrable domain by the Public Suffix List (the copy in HttpClient), e.g. acme.co.uk for
     * mail.acme.co.uk; a name under an unlisted top-level domain keeps its last two labels.
     */
    static String organizationalDomain(String domain) {
        String lower = domain.toLowerCase(Locale.ROOT);
        String root = PublicSuffixMatcherLoader.getDefault().getDomainRoot(lower);
        return root == null ? lower : root;
    }
}
