package io.mailgateway.local;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a real single-node KRaft Kafka broker as a child process of this JVM. */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private volatile Process process;
    private final String bootstrapServers;
    private final Path logFile;
    private final Path jvmOptions;
    private final Path config;
    private final Thread shutdownHook;
    private volatile Duration startupTime;

    private LocalKafkaBroker(Process process, String bootstrapServers, Path logFile, Path jvmOptions, Path config) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
        this.jvmOptions = jvmOptions;
        this.config = config;
        this.shutdownHook = new Thread(this::destroy, "local-kafka-broker-shutdown");
    }

    /**
     * Starts a broker whose files (configuration, data, {@code broker.log}) live in {@code workDir}; returns once it
     * answers requests. A work directory that already holds broker data is reused instead of formatted again.
     */
    public static LocalKafkaBroker start(Path workDir) {
        return start(workDir, null, Map.of());
    }

    /**
     * A broker with a second listener and further server settings, e.g. a SASL listener and an authorizer to see how
     * the gateway copes with missing rights.
     *
     * @param extraListener a listener besides the plain one, e.g. {@code SASL_PLAINTEXT://127.0.0.1:PORT}, or null
     * @param settings      server settings added to (or replacing) the defaults
     */
    public static LocalKafkaBroker start(Path workDir, String extraListener, Map<String, String> settings) {
        long started = System.nanoTime();
        try {
            Path dir = Files.createDirectories(workDir.toAbsolutePath());
            Path dataDir = dir.resolve("data");
            Path logFile = dir.resolve("broker.log");
            int[] ports = freePorts(2, extraListener);
            int brokerPort = ports[0];
            int controllerPort = ports[1];
            Path config = writeServerProperties(dir, dataDir, brokerPort, controllerPort, extraListener, settings);
            Path jvmOptions = writeJvmOptions(dir);

            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(jvmOptions, config, logFile);
            }
            Process process = java(jvmOptions, logFile, KafkaBrokerProcess.class.getName(), config.toString()).start();
            String bootstrap = LOOPBACK + ":" + brokerPort;
            LocalKafkaBroker broker = new LocalKafkaBroker(process, bootstrap, logFile, jvmOptions, config);
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            try {
                broker.awaitReady();
            } catch (RuntimeException e) {
                broker.stop();
                throw e;
            }
            broker.startupTime = Duration.ofNanos(System.nanoTime() - started);
            LOG.info("Kafka broker {} ready in {} ms (pid {}, log {})",
                    bootstrap, broker.startupTime.toMillis(), process.pid(), logFile);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Time from {@link #start} until the broker answered. */
    public Duration startupTime() {
        return startupTime;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** Creates topics with replication factor 1 and waits until the controller has accepted them. */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList();
        try (Admin admin = Admin.create(adminConfig())) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topics " + Arrays.toString(names), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    /**
     * Starts the broker again after {@link #stop}, on the same ports and with the same data, as after a broker
     * restart in production; stops it first if it still runs. Returns once it answers requests.
     */
    public synchronized void restart() {
        stop();
        long started = System.nanoTime();
        try {
            process = java(jvmOptions, logFile, KafkaBrokerProcess.class.getName(), config.toString()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitReady();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        startupTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Kafka broker {} ready again in {} ms (pid {})", bootstrapServers, startupTime.toMillis(), process.pid());
    }

    /** Stops the broker and waits until its process has exited. */
    public void stop() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and the hook is running or has run
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void destroy() {
        if (!process.isAlive()) {
            return;
        }
        // SIGTERM first so the broker shuts down cleanly and a reused work directory stays consistent
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                if (!process.isAlive()) {
                    throw failure("Kafka broker exited with code " + process.exitValue() + " during startup");
                }
                if (System.nanoTime() > deadline) {
                    throw failure("Kafka broker did not answer within " + START_TIMEOUT.toSeconds() + " s");
                }
                try {
                    // blocks for up to the timeout while the client retries the connection, so this loop does not spin
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes().get();
                    return;
                } catch (ExecutionException e) {
                    // not listening yet
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }

    private Map<String, Object> adminConfig() {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    }

    private IllegalStateException failure(String message) {
        return new IllegalStateException(message + "; last lines of " + logFile + ":\n" + tail(logFile, 40));
    }

    private static void format(Path jvmOptions, Path config, Path logFile) throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        Process process = java(jvmOptions, logFile, "kafka.tools.StorageTool",
                "format", "-t", clusterId, "-c", config.toString()).start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Formatting Kafka storage did not finish; last lines of " + logFile
                        + ":\n" + tail(logFile, 40));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Formatting Kafka storage failed with exit code "
                        + process.exitValue() + "; last lines of " + logFile + ":\n" + tail(logFile, 40));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
        }
    }

    private static ProcessBuilder java(Path jvmOptions, Path logFile, String mainClass, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // an argument file keeps the long class path off the command line
        command.add("@" + jvmOptions);
        command.add(mainClass);
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    }

    private static Path writeServerProperties(Path dir, Path dataDir, int brokerPort, int controllerPort,
            String extraListener, Map<String, String> settings) throws IOException {
        String extra = extraListener == null ? "" : "," + extraListener;
        String extraProtocol = extraListener == null ? ""
                : "," + extraListener.substring(0, extraListener.indexOf(':')) + ":"
                        + extraListener.substring(0, extraListener.indexOf(':'));
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + LOOPBACK + ":" + controllerPort,
                "listeners=PLAINTEXT://" + LOOPBACK + ":" + brokerPort
                        + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort + extra,
                "advertised.listeners=PLAINTEXT://" + LOOPBACK + ":" + brokerPort + extra,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" + extraProtocol,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + escape(dataDir.toString()),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                // one partition instead of 50 makes the first consumer group much faster to set up
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        StringBuilder more = new StringBuilder();
        settings.forEach((key, value) -> more.append(key).append('=').append(escape(value)).append('\n'));
        properties += more;
        Path file = dir.resolve("server.properties");
        Files.writeString(file, properties, StandardCharsets.UTF_8);
        return file;
    }

    private static Path writeJvmOptions(Path dir) throws IOException {
        Path log4jConfig = dir.resolve("log4j2.properties");
        Files.writeString(log4jConfig, String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.out.ref=out",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                ""), StandardCharsets.UTF_8);

        List<String> options = List.of(
                "-Xms64m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                // the broker lives for minutes, so the quick C1 compiler start beats C2 peak speed
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jConfig.toUri(),
                // log the broker's own shutdown instead of stopping the logger first
                "-Dlog4j.shutdownHookEnabled=false",
                "-cp",
                String.join(File.pathSeparator, childClassPath(System.getProperty("java.class.path"))));
        StringBuilder text = new StringBuilder();
        for (String option : options) {
            text.append('"').append(option.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        Path file = dir.resolve("jvm.options");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * This JVM's class path with manifest-only jars expanded: Maven surefire and IDEs may start tests with a single jar
     * whose manifest Class-Path lists the real entries, and that jar is deleted when the tests end.
     */
    static List<String> childClassPath(String classPath) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                Path path = Path.of(entry).toAbsolutePath();
                List<String> listed = manifestOnlyClassPath(path);
                if (listed.isEmpty()) {
                    entries.add(path.toString());
                } else {
                    entries.addAll(listed);
                }
            }
        }
        return new ArrayList<>(entries);
    }

    /** The Class-Path entries of a jar that holds nothing but a manifest; empty for anything else. */
    private static List<String> manifestOnlyClassPath(Path jar) {
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            return List.of();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null
                    ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            boolean onlyManifest = file.stream().allMatch(entry -> entry.getName().startsWith("META-INF/"));
            if (classPath == null || !onlyManifest) {
                return List.of();
            }
            URI base = jar.toUri();
            List<String> result = new ArrayList<>();
            for (String item : classPath.trim().split("\\s+")) {
                try {
                    // manifest entries are URLs relative to the jar that lists them
                    result.add(Path.of(base.resolve(item)).toString());
                } catch (IllegalArgumentException e) {
                    // not a file URL; the JVM would ignore it too
                }
            }
            return result;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Distinct free loopback ports. Every socket stays open until all are taken: asked one after the other, the
     * system may hand out the same ephemeral port twice, and Kafka refuses two listeners on one port.
     */
    private static int[] freePorts(int count, String extraListener) throws IOException {
        Set<Integer> avoid = new LinkedHashSet<>(List.of(9092, 9093)); // a developer's own broker
        if (extraListener != null) {
            avoid.add(Integer.parseInt(extraListener.substring(extraListener.lastIndexOf(':') + 1)));
        }
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            int found = 0;
            while (found < count) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                held.add(socket);
                if (!avoid.contains(socket.getLocalPort())) {
                    ports[found++] = socket.getLocalPort();
                }
            }
            return ports;
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    private static String escape(String propertiesValue) {
        return propertiesValue.replace("\\", "\\\\");
    }

    private static String tail(Path file, int lines) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, 16_384);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
