package io.mailgateway.senderchecks;

import java.net.InetAddress;
import java.util.List;

/** The DNS answers a sender check reads; an empty list means the name or the record type does not exist. */
public interface DnsRecords {

    /** Each TXT record at the name, its strings joined. */
    List<String> txt(String name);

    /** The A and AAAA records at the name. */
    List<InetAddress> addresses(String name);

    /** The mail exchangers' host names at the name. */
    List<String> mailExchangers(String name);
}
