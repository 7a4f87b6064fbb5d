package io.mailgateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;

/** Every socket the SMTP client gets, plain or TLS, has Nagle's algorithm switched off. */
class NoDelaySocketFactoriesTest {

    @Test
    void plainFactoryCreatesUnconnectedSocketsWithNoDelay() throws Exception {
        // the form Angus uses: it connects the socket itself, with its connect timeout
        try (Socket socket = NoDelaySocketFactories.plain().createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void plainFactoryCreatesConnectedSocketsWithNoDelay() throws Exception {
        SocketFactory factory = NoDelaySocketFactories.plain();
        try (ServerSocket server = listen();
                Socket byName = factory.createSocket(server.getInetAddress().getHostAddress(), server.getLocalPort());
                Socket byAddress = factory.createSocket(server.getInetAddress(), server.getLocalPort())) {
            assertThat(byName.getTcpNoDelay()).isTrue();
            assertThat(byAddress.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void tlsFactorySwitchesNoDelayOnForTheSocketItLayersOver() throws Exception {
        SSLSocketFactory factory = NoDelaySocketFactories.tls(SSLContext.getDefault().getSocketFactory());
        try (ServerSocket server = listen(); Socket plain = new Socket(server.getInetAddress(), server.getLocalPort())) {
            plain.setTcpNoDelay(false);

            // the form used for STARTTLS and for implicit TLS alike; no handshake happens before the first read
            try (Socket layered = factory.createSocket(plain, "localhost", server.getLocalPort(), true)) {
                assertThat(layered.getTcpNoDelay()).isTrue();
                assertThat(plain.getTcpNoDelay()).isTrue();
            }
        }
    }

    @Test
    void tlsFactoryCreatesConnectedSocketsWithNoDelay() throws Exception {
        SSLSocketFactory factory = NoDelaySocketFactories.tls(SSLContext.getDefault().getSocketFactory());
        try (ServerSocket server = listen();
                Socket socket = factory.createSocket(server.getInetAddress(), server.getLocalPort())) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    private static ServerSocket listen() throws Exception {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
}
