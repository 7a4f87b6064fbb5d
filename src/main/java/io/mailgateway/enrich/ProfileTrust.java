package io.mailgateway.enrich;

import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;

import io.mailgateway.tls.RelayTrust;

/**
 * The CAs an https profile service is checked against: the JVM's, plus those of GATEWAY_PROFILE_TRUST_CA_FILE.
 * The chain and the host name are always verified. Handed to camel-http as its {@code sslContextParameters}.
 */
public final class ProfileTrust extends SSLContextParameters {

    private final SSLContext context;

    /** @param extraCaFile PEM file of further CAs, or null for the JVM's alone */
    public ProfileTrust(Path extraCaFile) {
        this.context = RelayTrust.sslContext(extraCaFile, "GATEWAY_PROFILE_TRUST_CA_FILE");
    }

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) {
        return context;
    }
}
