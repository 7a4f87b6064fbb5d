package io.mailgateway.senderchecks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * Answers whether a domain's SPF record authorises an IP address (RFC 7208 check_host), for the sender checks.
 */
// No SPF library is in the build, so this evaluator is kept to what a check of a relay needs: ip4, ip6, a, mx,
// include, redirect, exists and all, with the limit of 10 DNS-querying terms. ptr (deprecated by RFC 7208) never
// matches, and a domain with a macro (%{...}) is reported as not evaluated rather than guessed.
public final class SpfEvaluator {

    /** RFC 7208 section 4.6.4: terms that query DNS (include, a, mx, ptr, exists, redirect) per check. */
    public static final int MAX_DNS_TERMS = 10;
    private static final int MAX_MX_NAMES = 10;

    /** The outcome of a check; UNEVALUATED when the record uses what this evaluator does not evaluate. */
    public enum Result { PASS, FAIL, SOFTFAIL, NEUTRAL, NONE, PERMERROR, UNEVALUATED }

    /** A result and why, naming the record's term that decided it. */
    public record Verdict(Result result, String reason) {
    }

    private final DnsRecords dns;

    public SpfEvaluator(DnsRecords dns) {
        this.dns = dns;
    }

    /** The SPF records at the domain: TXT records starting with {@code v=spf1}. */
    public List<String> records(String domain) {
        return dns.txt(domain).stream().filter(SpfEvaluator::isSpf).toList();
    }

    static boolean isSpf(String txt) {
        String lower = txt.toLowerCase(Locale.ROOT);
        return lower.equals("v=spf1") || lower.startsWith("v=spf1 ");
    }

    /** Evaluates the domain's SPF record for mail from the address. */
    public Verdict check(InetAddress ip, String domain) {
        try {
            return new Evaluation(ip).check(domain);
        } catch (Unusable e) {
            return e.verdict;
        }
    }

    private final class Evaluation {

        private final InetAddress ip;
        private int dnsTerms;

        Evaluation(InetAddress ip) {
            this.ip = ip;
        }

        Verdict check(String domain) {
            List<String> spf = records(domain);
            if (spf.isEmpty()) {
                return new Verdict(Result.NONE, "no SPF record at " + domain);
            }
            if (spf.size() > 1) {
                throw new Unusable(Result.PERMERROR, spf.size() + " SPF records at " + domain);
            }
            String redirect = null;
            for (String term : spf.get(0).trim().split("\\s+")) {
                String lower = term.toLowerCase(Locale.ROOT);
                if (lower.equals("v=spf1")) {
                    continue;
                }
                if (lower.startsWith("redirect=")) {
                    redirect = term.substring("redirect=".length());
                } else if (!lower.matches("[a-z][a-z0-9_.-]*=.*")) { // exp= and unknown modifiers change nothing
                    Result matched = mechanism(domain, term);
                    if (matched != null) {
                        return new Verdict(matched, term + " in " + domain + "'s SPF record matches " + address());
                    }
                }
            }
            if (redirect == null) {
                return new Verdict(Result.NEUTRAL, "no term of " + domain + "'s SPF record matches " + address());
            }
            countDnsTerm(domain, "redirect=" + redirect);
            Verdict redirected = check(redirect);
            if (redirected.result() == Result.NONE) {
                throw new Unusable(Result.PERMERROR, domain + " redirects to " + redirect
                        + ", which has no SPF record");
            }
            return redirected;
        }

        /** The term's qualifier when it matches, null when it does not. */
        private Result mechanism(String domain, String term) {
            Result qualified = switch (term.charAt(0)) {
                case '-' -> Result.FAIL;
                case '~' -> Result.SOFTFAIL;
                case '?' -> Result.NEUTRAL;
                default -> Result.PASS;
            };
            String body = "+-~?".indexOf(term.charAt(0)) >= 0 ? term.substring(1) : term;
            int colon = body.indexOf(':');
            int slash = body.indexOf('/');
            int nameEnd = colon >= 0 ? colon : slash >= 0 ? slash : body.length();
            String name = body.substring(0, nameEnd).toLowerCase(Locale.ROOT);
            String argument = colon >= 0 ? body.substring(colon + 1) : null;
            String cidr = colon < 0 && slash >= 0 ? body.substring(slash) : null;
            if (argument != null && (name.equals("a") || name.equals("mx")) && argument.contains("/")) {
                cidr = argument.substring(argument.indexOf('/'));
                argument = argument.substring(0, argument.indexOf('/'));
            }
            if (!List.of("all", "ip4", "ip6", "a", "mx", "include", "exists", "ptr").contains(name)) {
                throw new Unusable(Result.PERMERROR, "unknown SPF term " + term + " in " + domain + "'s record");
            }
            if (argument != null && argument.contains("%")) {
                throw new Unusable(Result.UNEVALUATED, "the term " + term + " uses an SPF macro, which this check "
                        + "does not evaluate");
            }
            if (List.of("a", "mx", "include", "exists", "ptr").contains(name)) {
                countDnsTerm(domain, term);
            }
            String target = argument == null ? domain : argument;
            boolean matches = switch (name) {
                case "all" -> true;
                case "ip4", "ip6" -> argument != null && inNetwork(argument);
                case "a" -> anyInNetwork(dns.addresses(target), cidr);
                case "mx" -> matchesMailExchanger(target, cidr);
                case "exists" -> dns.addresses(target).stream().anyMatch(Inet4Address.class::isInstance);
                case "include" -> included(target);
                default -> false; // ptr
            };
            return matches ? qualified : null;
        }

        private boolean included(String target) {
            Verdict verdict = check(target);
            if (verdict.result() == Result.NONE) {
                throw new Unusable(Result.PERMERROR, "include:" + target + " has no SPF record");
            }
            return verdict.result() == Result.PASS;
        }

        private boolean matchesMailExchanger(String target, String cidr) {
            List<String> exchangers = dns.mailExchangers(target);
            if (exchangers.size() > MAX_MX_NAMES) {
                throw new Unusable(Result.PERMERROR, "mx of " + target + " names " + exchangers.size()
                        + " hosts, more than " + MAX_MX_NAMES);
            }
            return exchangers.stream().anyMatch(host -> anyInNetwork(dns.addresses(host), cidr));
        }

        private void countDnsTerm(String domain, String term) {
            dnsTerms++;
            if (dnsTerms > MAX_DNS_TERMS) {
                throw new Unusable(Result.PERMERROR, "more than " + MAX_DNS_TERMS + " DNS-querying terms (include, "
                        + "a, mx, ptr, exists, redirect) when evaluated; the 11th is " + term + " in " + domain
                        + "'s record");
            }
        }

        private boolean anyInNetwork(List<InetAddress> addresses, String cidr) {
            int ip4Prefix = 32;
            int ip6Prefix = 128;
            if (cidr != null) {
                String[] parts = cidr.split("//", -1);
                if (parts[0].length() > 1) {
                    ip4Prefix = prefix(parts[0].substring(1));
                }
                if (parts.length > 1) {
                    ip6Prefix = prefix(parts[1]);
                }
            }
            int prefix = ip instanceof Inet4Address ? ip4Prefix : ip6Prefix;
            return addresses.stream().anyMatch(address -> sameNetwork(address, prefix));
        }

        private boolean inNetwork(String network) {
            int slash = network.indexOf('/');
            InetAddress address = DnsLookups.literal(slash < 0 ? network : network.substring(0, slash));
            if (address == null) {
                throw new Unusable(Result.PERMERROR, "not an IP address or network: " + network);
            }
            int prefix = slash < 0 ? address.getAddress().length * 8 : prefix(network.substring(slash + 1));
            return sameNetwork(address, prefix);
        }

        private int prefix(String digits) {
            try {
                return Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                throw new Unusable(Result.PERMERROR, "not a prefix length: /" + digits);
            }
        }

        private boolean sameNetwork(InetAddress network, int prefix) {
            byte[] a = ip.getAddress();
            byte[] b = network.getAddress();
            if (a.length != b.length) {
                return false;
            }
            for (int bit = 0; bit < prefix && bit < a.length * 8; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        private String address() {
            return ip.getHostAddress();
        }
    }

    /** Ends the evaluation with a verdict for the whole check (RFC 7208's permerror, or a record not evaluated). */
    private static final class Unusable extends RuntimeException {

        private final transient Verdict verdict;

        Unusable(Result result, String reason) {
            super(reason, null, false, false);
            this.verdict = new Verdict(result, reason);
        }
    }
}
