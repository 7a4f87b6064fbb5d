package io.mailgateway.senderchecks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** Asks DNS servers (given ones, else the system's) with dnsjava, each question and the whole check bounded in time. */
public final class DnsLookups implements DnsRecords {

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);
    private final Clock clock;
    private final Instant deadline;

    /**
     * @param servers host or host:port of each server, empty for the system's resolvers
     * @param timeout for one question
     * @param budget for all questions of this instance together
     */
    public DnsLookups(List<String> servers, Duration timeout, Duration budget, Clock clock) {
        this.resolver = resolver(servers);
        resolver.setTimeout(timeout);
        this.clock = clock;
        this.deadline = clock.instant().plus(budget);
    }

    private static Resolver resolver(List<String> servers) {
        if (servers.isEmpty()) {
            return new ExtendedResolver();
        }
        Resolver[] each = servers.stream().map(DnsLookups::server).toArray(Resolver[]::new);
        return each.length == 1 ? each[0] : new ExtendedResolver(each);
    }

    private static Resolver server(String server) {
        int colon = server.lastIndexOf(':');
        // host:port, an IPv6 address in brackets with a port, or a bare host or IPv6 address
        boolean hasPort = colon > 0 && (server.indexOf(':') == colon || server.startsWith("["));
        String host = hasPort ? server.substring(0, colon) : server;
        int port = hasPort ? Integer.parseInt(server.substring(colon + 1)) : 53;
        host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return new SimpleResolver(new InetSocketAddress(host, port));
    }

    @Override
    public List<String> txt(String name) {
        return records(name, Type.TXT).stream()
                .map(record -> String.join("", ((TXTRecord) record).getStrings()))
                .toList();
    }

    @Override
    public List<InetAddress> addresses(String name) {
        return java.util.stream.Stream.concat(records(name, Type.A).stream().map(r -> ((ARecord) r).getAddress()),
                records(name, Type.AAAA).stream().map(r -> ((AAAARecord) r).getAddress())).toList();
    }

    @Override
    public List<String> mailExchangers(String name) {
        return records(name, Type.MX).stream()
                .map(record -> ((MXRecord) record).getTarget().toString(true))
                .toList();
    }

    private List<Record> records(String name, int type) {
        if (clock.instant().isAfter(deadline)) {
            throw new DnsLookupException("the time for the check ran out before " + Type.string(type) + " " + name);
        }
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name, Name.root), type);
        } catch (TextParseException e) {
            throw new DnsLookupException("not a domain name: " + name);
        }
        lookup.setResolver(resolver);
        lookup.setCache(cache);
        Record[] answers = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> Arrays.asList(answers);
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> List.of();
            default -> throw new DnsLookupException("DNS lookup of " + Type.string(type) + " " + name + " failed: "
                    + lookup.getErrorString());
        };
    }

    /** The address of an IP literal, without asking DNS; null when the text is a host name. */
    static InetAddress literal(String host) {
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!ipv4 && !host.contains(":")) {
            return null;
        }
        try {
            // A literal is parsed, never looked up.
            return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
