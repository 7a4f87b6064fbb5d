package io.mailgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One in-JVM gateway for every test class that asks for it, started on first use and stopped when the test run ends,
 * because a broker and a gateway take seconds to start.
 */
public final class SharedGateway implements ParameterResolver {

    /** A topic that exists only so that a record sent to it by mistake would be seen. */
    public static final String FORBIDDEN_TOPIC = "mail.stolen";
    /** The custom headers the shared gateway allows. */
    public static final String ALLOWED_HEADERS = "X-Campaign,X-Tenant-*";
    /** The shared gateway's limit for a composed message, small enough for tests to exceed. */
    public static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedGateway.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == InJvmGateway.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("gateway", key -> Running.start(), Running.class).gateway;
    }

    /** The running gateway and its working folder, closed by JUnit at the end of the run. */
    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {

        private final Path work;
        private final InJvmGateway gateway;
        private boolean closed;

        private Running(Path work, InJvmGateway gateway) {
            this.work = work;
            this.gateway = gateway;
        }

        static Running start() {
            try {
                Path work = Files.createTempDirectory("shared-gateway");
                return new Running(work, InJvmGateway.start(work, Map.of(
                        "gateway.allowed-headers", ALLOWED_HEADERS,
                        "gateway.limits.max-message-bytes", String.valueOf(MAX_MESSAGE_BYTES)), FORBIDDEN_TOPIC));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() throws Exception {
            if (closed) {
                return;
            }
            closed = true;
            gateway.close();
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
