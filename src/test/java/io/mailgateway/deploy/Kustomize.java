package io.mailgateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        try {
            Path dir = Files.createDirectories(Path.of("target", "kustomize", component.getFileName().toString()));
            Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
                    "apiVersion: kustomize.config.k8s.io/v1beta1",
                    "kind: Kustomization",
                    "resources:",
                    "  - " + relative(dir, K8S.resolve("base")),
                    "components:",
                    "  - " + relative(dir, component),
                    ""));
            return render(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
