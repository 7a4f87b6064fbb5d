package io.mailgateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The manifests under k8s/, rendered the way users apply them: with kubectl's built-in kustomize. */
final class Kustomize {

    static final Path K8S = Path.of("k8s");
    private static final YAMLMapper YAML = new YAMLMapper();

    private Kustomize() {
    }

    static List<Path> overlays() {
        return folders(K8S.resolve("overlays"));
    }

    static List<Path> components() {
        return folders(K8S.resolve("components"));
    }

    /** Renders a kustomization folder into its objects. */
    static List<ObjectNode> render(Path kustomization) {
        List<String> command = List.of("kubectl", "kustomize", kustomization.toString());
        Process process;
        Path errorFile;
        try {
            // errors go to a file, so a chatty stderr can never block the read of stdout below
            errorFile = Files.createTempFile("kustomize", ".err");
            process = new ProcessBuilder(command).redirectError(errorFile.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render k8s/ (its built-in kustomize, kubectl 1.21 or newer)"
                    + " and was not found on PATH: install the kubectl package of your distribution or of the"
                    + " Kubernetes project, then run the tests again", e);
        }
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + Files.readString(errorFile));
            }
            return parse(new String(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + kustomization, e);
        } finally {
            try {
                Files.deleteIfExists(errorFile);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    /**
     * Renders the base with one component, through a kustomization written under target/ (a component cannot be
     * rendered on its own), so that components no overlay uses are checked too.
     */
    static List<ObjectNode> renderBaseWith(Path component) {
        return renderBaseWith(component.getFileName().toString(), Map.of(), List.of(component));
    }

    /**
     * Renders the base with components, in that order, as an overlay would that sets {@code config} in its
     * config.env (nothing when empty); written under target/kustomize/NAME.
     */
    static List<ObjectNode> renderBaseWith(String name, Map<String, String> config, List<Path> components) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "kustomize", name));
            List<String> lines = new ArrayList<>(List.of(
                    "apiVersion: kustomize.config.k8s.io/v1beta1",
                    "kind: Kustomization",
                    "resources:",
                    "  - " + relative(dir, K8S.resolve("base")),
                    "components:"));
            components.forEach(c -> lines.add("  - " + relative(dir, c)));
            if (!config.isEmpty()) {
                StringBuilder env = new StringBuilder();
                config.forEach((key, value) -> env.append(key).append('=').append(value).append('\n'));
                Files.writeString(dir.resolve("config.env"), env);
                lines.addAll(List.of("configMapGenerator:", "  - name: mail-gateway-config", "    behavior: merge",
                        "    envs:", "      - config.env"));
            }
            lines.add("");
            Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n", lines));
            return render(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An overlay as if its kustomization listed further components after its own: a copy of the overlay under
     * target/, so that the overlay's own patches run after every component, as they would in the user's overlay.
     */
    static List<ObjectNode> renderOverlayWith(Path overlay, List<Path> components) {
        String name = overlay.getFileName() + "-with-" + String.join("-",
                components.stream().map(c -> c.getFileName().toString()).toList());
        Path dir = Path.of("target", "kustomize", name);
        try (Stream<Path> files = Files.list(overlay)) {
            Files.createDirectories(dir);
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            Path kustomization = dir.resolve("kustomization.yaml");
            StringBuilder added = new StringBuilder("components:\n");
            components.forEach(c -> added.append("  - ").append(relative(dir, c)).append('\n'));
            String text = Files.readString(kustomization).replace("../../", relative(dir, K8S) + "/");
            if (!text.contains("\ncomponents:\n")) {
                text = text + "\n" + added;
            } else {
                // the further components come last in the list
                int list = text.indexOf("\ncomponents:\n") + "\ncomponents:\n".length();
                int end = list;
                while (text.startsWith("  - ", end)) {
                    end = text.indexOf('\n', end) + 1;
                }
                text = text.substring(0, end) + added.substring("components:\n".length()) + text.substring(end);
            }
            Files.writeString(kustomization, text);
            return render(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings the gateway's ConfigMap (mail-gateway-config) of a rendering holds. */
    static Map<String, String> config(List<ObjectNode> objects) {
        Map<String, String> config = new LinkedHashMap<>();
        find(objects, "ConfigMap", "mail-gateway-config").orElseThrow().path("data").fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    /** The lines KEY=VALUE of an env file (comments and blank lines left out), as kustomize reads them. */
    static Map<String, String> envFile(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.trim();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    int equals = trimmed.indexOf('=');
                    values.put(trimmed.substring(0, equals), trimmed.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /** Objects of a plain YAML file (one or more documents). */
    static List<ObjectNode> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<ObjectNode> find(List<ObjectNode> objects, String kind, String namePrefix) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> o.path("metadata").path("name").asText().startsWith(namePrefix))
                .findFirst();
    }

    /** The object of that kind and exactly that name (generated ConfigMaps have a suffix: use {@link #find}). */
    static Optional<ObjectNode> named(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()))
                .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .findFirst();
    }

    private static List<ObjectNode> parse(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    private static String relative(Path from, Path to) {
        return from.toAbsolutePath().relativize(to.toAbsolutePath()).toString();
    }

    private static List<Path> folders(Path parent) {
        try (Stream<Path> children = Files.list(parent)) {
            return children.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
