package io.mailgateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import io.mailgateway.config.GatewayConfiguration;
import io.mailgateway.config.LogSettings;

/**
 * Starts the gateway; {@code send FILE...} instead publishes mail requests to Kafka, and
 * {@code check-templates [DIR]} checks a templates folder and {@code check-domain DOMAIN} a sending domain's DNS
 * records; {@code warm-up} starts and stops the gateway to record a class-data-sharing archive.
 */
public final class MailGateway {

    private MailGateway() {
    }

    public static void main(String[] args) throws Exception {
        // An unknown log format leaves log4j without an appender: refuse before anything would be logged into nothing.
        LogSettings.fromEnvironment(System.getenv());
        if (args.length > 0 && args[0].equals("send")) {
            System.exit(SendCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("suppress")) {
            System.exit(SuppressCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("check-templates")) {
            System.exit(CheckTemplatesCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("check-domain")) {
            System.exit(CheckDomainCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("warm-up")) {
            warmUp();
            System.exit(0);
        }
        newMain(Map.of()).run(args);
    }

    /**
     * Starts the gateway without a Kafka broker to reach and stops it once started: run with
     * {@code -XX:ArchiveClassesAtExit=FILE}, it records the classes a start loads as a class-data-sharing archive,
     * which later starts map instead of loading each class from the jar again.
     */
    private static void warmUp() throws Exception {
        Main main = newMain(Map.of(
                // an address where no broker listens: a warm-up must never take a request from a real broker
                "camel.component.kafka.brokers", "127.0.0.1:1",
                // any free port: the build machine may use 8080
                "camel.management.port", "0"));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport started) {
                main.completed();
            }
        });
        main.run();
    }

    /**
     * The gateway as a Camel Main, not yet started.
     *
     * @param overrides settings that win over application.properties and the environment (used by tests and
     *                  local mode)
     */
    public static Main newMain(Map<String, String> overrides) {
        // No package scan: it would find GatewayConfiguration a second time and build every bean twice.
        Main main = new Main();
        main.configure().addConfiguration(GatewayConfiguration.class);
        main.addInitialProperty("camel.main.routesIncludePattern", routesPattern());
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * The route files, named one by one: a wildcard makes Camel read through every entry of the jar (tens of megabytes
     * inflated) to find the few route files, which took seconds of every start.
     */
    static String routesPattern() {
        String dir = System.getenv("GATEWAY_ROUTES_DIR");
        if (dir == null || dir.isBlank()) {
            dir = Files.isDirectory(Path.of("routes")) ? "routes" : null;
        } else if (!Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("GATEWAY_ROUTES_DIR " + dir + " is not a directory");
        }
        Path routesDir = dir == null ? null : Path.of(dir).toAbsolutePath().normalize();
        List<String> files = routesDir == null ? bundledRoutes() : routesIn(routesDir);
        if (files.isEmpty()) {
            // a folder without route files loads none, as the wildcard did; bundled routes that cannot be named
            // (an unusual class path) are searched for as before
            return routesDir == null ? "classpath:routes/*.camel.yaml" : "file:" + routesDir + "/*.camel.yaml";
        }
        return String.join(",", files);
    }

    private static List<String> routesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> isRouteFile(file.getFileName().toString()) && Files.isRegularFile(file))
                    .map(file -> "file:" + file).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the routes in " + dir, e);
        }
    }

    /** The routes bundled with the gateway: in its jar's directory (not read entry by entry), or in its classes. */
    private static List<String> bundledRoutes() {
        try {
            // Classes and resources may be in folders of their own (as in the container image): find the folder
            // that holds the routes, not the one that holds this class.
            URL routes = MailGateway.class.getClassLoader().getResource("routes");
            if (routes != null && "file".equals(routes.getProtocol())) {
                return routesIn(Path.of(routes.toURI())).stream()
                        .map(file -> "classpath:routes/" + Path.of(file.substring("file:".length())).getFileName())
                        .toList();
            }
            Path location = Path.of(MailGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return List.of();
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                return jar.stream().map(JarEntry::getName)
                        .filter(name -> name.startsWith("routes/") && name.indexOf('/', "routes/".length()) < 0
                                && isRouteFile(name.substring("routes/".length())))
                        .map(name -> "classpath:" + name).sorted().toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("Cannot list the routes bundled with the gateway", e);
        }
    }

    private static boolean isRouteFile(String name) {
        return name.endsWith(".camel.yaml");
    }
}
