package io.mailgateway.senderchecks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Whether each configured DKIM key of a domain is published at its selector, with the same public key. */
final class DkimCheck {

    private final DnsRecords dns;

    DkimCheck(DnsRecords dns) {
        this.dns = dns;
    }

    /** One finding per configured key; none when the domain has no key. */
    List<Finding> check(List<DkimPublicKeys.Key> keys) {
        List<Finding> findings = new ArrayList<>();
        for (DkimPublicKeys.Key key : keys) {
            if (key.problem() != null) {
                findings.add(new Finding("DKIM " + key.domain(), Finding.Status.WRONG, key.problem(), null));
                continue;
            }
            String check = "DKIM " + key.recordName();
            String publish = Finding.txt(key.recordName(), key.record());
            List<Map<String, String>> records = dns.txt(key.recordName()).stream()
                    .map(DkimCheck::tags)
                    .filter(tags -> tags.containsKey("p"))
                    .toList();
            if (records.isEmpty()) {
                findings.add(new Finding(check, Finding.Status.MISSING, "no DKIM record at " + key.recordName()
                        + ": receivers cannot verify mail signed with selector " + key.selector(), publish));
            } else if (records.size() > 1) {
                findings.add(new Finding(check, Finding.Status.WRONG, records.size() + " DKIM records at "
                        + key.recordName() + ": publish one", publish));
            } else {
                findings.add(compare(check, key, records.get(0), publish));
            }
        }
        return findings;
    }

    private static Finding compare(String check, DkimPublicKeys.Key key, Map<String, String> record, String publish) {
        String published = record.get("p").replaceAll("\\s", "");
        String type = record.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
        if (published.isEmpty()) {
            return new Finding(check, Finding.Status.WRONG, "the DKIM record at " + key.recordName()
                    + " is revoked (empty p=) but the gateway signs with selector " + key.selector(), publish);
        }
        if (!type.equals(key.type())) {
            return new Finding(check, Finding.Status.WRONG, "the DKIM record at " + key.recordName() + " is for k="
                    + type + " but the configured key is " + key.type(), publish);
        }
        if (!published.equals(key.publicKey())) {
            return new Finding(check, Finding.Status.WRONG, "the DKIM record at " + key.recordName()
                    + " holds the public key of another key (p= differs from the configured key's)", publish);
        }
        return Finding.ok(check, "the " + key.type() + " key of selector " + key.selector() + " is published at "
                + key.recordName());
    }

    /** The tag=value list of a DKIM or DMARC record (RFC 6376 section 3.2); a repeated tag keeps its first value. */
    static Map<String, String> tags(String record) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : record.split(";")) {
            int equals = tag.indexOf('=');
            if (equals > 0) {
                tags.putIfAbsent(tag.substring(0, equals).trim().toLowerCase(Locale.ROOT),
                        tag.substring(equals + 1).trim());
            }
        }
        return tags;
    }
}
