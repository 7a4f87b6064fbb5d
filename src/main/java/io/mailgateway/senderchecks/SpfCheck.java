package io.mailgateway.senderchecks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.mailgateway.senderchecks.SpfEvaluator.Result;
import io.mailgateway.senderchecks.SpfEvaluator.Verdict;

/** Whether the envelope-sender domain's SPF record authorises the relays the gateway submits to. */
final class SpfCheck {

    /** Printed with every SPF check: what it can and cannot see. */
    static final String SUBMISSION_HOST_NOTE = "SPF is checked for the hosts the gateway submits to (SMTP_HOST and "
            + "the relays file). A smarthost relays from its own outgoing IPs, which may differ: take them from the "
            + "Received headers of a delivered test mail (or the provider's documented SPF include) and check them "
            + "against the record too.";

    /**
     * @param findings one per relay host, or one for the record itself when it is missing or broken
     * @param authorisesAll true when the record passes every relay checked (needed for SPF alignment)
     */
    record Outcome(List<Finding> findings, boolean authorisesAll) {
    }

    private final SpfEvaluator evaluator;

    SpfCheck(DnsRecords dns) {
        this.evaluator = new SpfEvaluator(dns);
    }

    Outcome check(String envelopeDomain, List<RelayHost> relays) {
        String check = "SPF " + envelopeDomain;
        List<String> records = evaluator.records(envelopeDomain);
        List<RelayHost> remote = relays.stream().filter(relay -> !relay.onThisMachine()).toList();
        List<Finding> findings = new ArrayList<>();
        relays.stream().filter(RelayHost::onThisMachine).forEach(relay -> findings.add(Finding.warning(check,
                "relay " + relay.name() + " is on this machine: receivers see the IPs it relays from, which this "
                        + "check cannot know", null)));
        relays.stream().filter(relay -> !relay.onThisMachine() && relay.addresses().isEmpty())
                .forEach(relay -> findings.add(Finding.warning(check, "relay " + relay.name()
                        + " does not resolve to an address", null)));
        if (records.isEmpty()) {
            findings.add(new Finding(check, Finding.Status.MISSING, "no SPF record (TXT v=spf1) at " + envelopeDomain,
                    Finding.txt(envelopeDomain, withRelays("v=spf1 ~all", remote))));
            return new Outcome(findings, false);
        }
        if (records.size() > 1) {
            findings.add(new Finding(check, Finding.Status.WRONG, records.size() + " SPF records at " + envelopeDomain
                    + " (receivers treat that as an error): publish one, merging their terms",
                    Finding.txt(envelopeDomain, withRelays(merged(records), remote))));
            return new Outcome(findings, false);
        }
        boolean all = !remote.isEmpty();
        List<RelayHost> unauthorised = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (RelayHost relay : remote) {
            for (InetAddress address : relay.addresses()) {
                Verdict verdict = evaluator.check(address, envelopeDomain);
                String what = "relay " + relay.name() + " (" + address.getHostAddress() + ")";
                switch (verdict.result()) {
                    case PASS -> findings.add(Finding.ok(check, envelopeDomain + " authorises " + what + ": "
                            + verdict.reason()));
                    case UNEVALUATED -> {
                        all = false;
                        findings.add(Finding.warning(check, "cannot tell whether " + envelopeDomain
                                + " authorises " + what + ": " + verdict.reason(), null));
                    }
                    case PERMERROR -> {
                        all = false;
                        findings.add(new Finding(check, Finding.Status.WRONG, envelopeDomain + "'s SPF record is "
                                + "unusable (permerror): " + verdict.reason(), null));
                    }
                    default -> {
                        all = false;
                        unauthorised.add(new RelayHost(relay.name(), List.of(address)));
                        refusals.add(envelopeDomain + "'s SPF record does not authorise " + what + " ("
                                + verdict.result().name().toLowerCase(Locale.ROOT) + ": " + verdict.reason() + ")");
                    }
                }
            }
        }
        String publish = Finding.txt(envelopeDomain, withRelays(records.get(0), unauthorised));
        refusals.forEach(refusal -> findings.add(new Finding(check, Finding.Status.WRONG, refusal, publish)));
        return new Outcome(findings, all);
    }

    /** The record with ip4/ip6 terms for the relays' addresses, placed before its final term. */
    private static String withRelays(String record, List<RelayHost> relays) {
        Set<String> terms = new LinkedHashSet<>(List.of(record.trim().split("\\s+")));
        String last = terms.stream().reduce((first, second) -> second).orElse("v=spf1");
        boolean endsWithAll = last.matches("[+~?-]?all") || last.toLowerCase(Locale.ROOT).startsWith("redirect=");
        if (endsWithAll) {
            terms.remove(last);
        }
        for (RelayHost relay : relays) {
            for (InetAddress address : relay.addresses()) {
                terms.add((address instanceof Inet4Address ? "ip4:" : "ip6:") + address.getHostAddress());
            }
        }
        terms.add(endsWithAll ? last : "~all");
        return String.join(" ", terms);
    }

    /** One record with every term of the records, in a stable order; their "all" when they agree, else ~all. */
    private static String merged(List<String> records) {
        Set<String> terms = new LinkedHashSet<>();
        terms.add("v=spf1");
        Set<String> alls = new LinkedHashSet<>();
        for (String record : records.stream().sorted().toList()) {
            for (String term : record.trim().split("\\s+")) {
                if (term.matches("[+~?-]?all")) {
                    alls.add(term);
                } else if (!term.equalsIgnoreCase("v=spf1")) {
                    terms.add(term);
                }
            }
        }
        terms.add(alls.size() == 1 ? alls.iterator().next() : "~all");
        return String.join(" ", terms);
    }
}
