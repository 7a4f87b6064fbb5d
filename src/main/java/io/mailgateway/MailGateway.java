package io.mailgateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.apache.camel.main.Main;

import io.mailgateway.config.GatewayConfiguration;
import io.mailgateway.config.LogSettings;

/**
 * Starts the gateway; {@code send FILE...} instead publishes mail requests to Kafka, and
 * {@code check-templates [DIR]} checks a templates folder and {@code check-domain DOMAIN} a sending domain's DNS
 * records.
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
        newMain(Map.of()).run(args);
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

    private static String routesPattern() {
        String dir = System.getenv("GATEWAY_ROUTES_DIR");
        if (dir == null || dir.isBlank()) {
            dir = Files.isDirectory(Path.of("routes")) ? "routes" : null;
        } else if (!Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("GATEWAY_ROUTES_DIR " + dir + " is not a directory");
        }
        return dir == null ? "classpath:routes/*.camel.yaml"
                : "file:" + Path.of(dir).toAbsolutePath().normalize() + "/*.camel.yaml";
    }
}
