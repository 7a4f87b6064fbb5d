package io.mailgateway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS for the clients that talk to a relay directly: trust exactly the relay's CA, verify its host name. */
final class RelayTls {

    private RelayTls() {
    }

    /** An SSLContext whose only trusted certificates are those in the PEM file. */
    static SSLContext trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + caPem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + caPem, e);
        }
    }

    /**
     * Plain sockets with Nagle's algorithm off, as the gateway uses: STARTTLS runs on top of this socket, and
     * Nagle plus delayed ACKs would add tens of milliseconds to each handshake.
     */
    static SocketFactory noDelaySockets() {
        SocketFactory delegate = SocketFactory.getDefault();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return noDelay(delegate.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return noDelay(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return noDelay(delegate.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return noDelay(delegate.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return noDelay(delegate.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    private static Socket noDelay(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }
}
