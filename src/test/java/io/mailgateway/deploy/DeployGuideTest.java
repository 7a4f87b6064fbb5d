package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/deploy.md can be followed as written: every path its commands apply exists and renders, every example
 * manifest is valid, the send example runs under the restricted Pod Security Standard, and the custom-routes example
 * reaches the Deployment with every route.
 */
class DeployGuideTest {

    private static final Path GUIDE = Path.of("docs", "deploy.md");
    private static final Path EXAMPLES = Kustomize.K8S.resolve("examples");
    private static final Path SEND_EXAMPLE = EXAMPLES.resolve("send-first-mail.yaml");
    private static final Path CUSTOM_ROUTES_EXAMPLE = EXAMPLES.resolve("custom-routes");
    private static final String LOAD_RESTRICTOR_NONE = "--load-restrictor=LoadRestrictionsNone";
    private static final YAMLMapper YAML = new YAMLMapper();

    private static KubernetesSchemas schemas;
    private static List<String> commands;

    @BeforeAll
    static void load() throws IOException {
        schemas = KubernetesSchemas.load(Kustomize.K8S.resolve("schemas"));
        commands = shellCommands(Files.readString(GUIDE));
    }

    @Test
    void everyKustomizationTheGuideAppliesExistsAndRendersValidObjects() {
        List<String> paths = new ArrayList<>();
        for (String command : commands) {
            List<String> words = List.of(command.trim().split("\\s+"));
            if (!words.contains("kubectl")) {
                continue;
            }
            for (int i = 0; i < words.size() - 1; i++) {
                if (words.get(i).equals("-k")) {
                    paths.add(words.get(i + 1));
                }
            }
            int kustomize = words.indexOf("kustomize");
            if (kustomize > 0 && words.get(kustomize - 1).equals("kubectl")) {
                words.subList(kustomize + 1, words.size()).stream()
                        .takeWhile(w -> !w.equals("|"))
                        .filter(w -> !w.startsWith("-") && !w.equals("LoadRestrictionsNone"))
                        .forEach(paths::add);
            }
        }
        assertThat(paths).as("kubectl apply -k / kubectl kustomize paths in %s", GUIDE)
                .contains("k8s/overlays/dev", "k8s/examples/custom-routes");
        for (String path : paths) {
            Path dir = Path.of(path);
            assertThat(dir.resolve("kustomization.yaml")).as("%s: %s is a kustomization", GUIDE, path).isRegularFile();
            List<ObjectNode> objects = renderAllowingFilesOutside(dir);
            assertThat(objects).as(path).isNotEmpty();
            objects.forEach(o -> assertThat(schemas.validate(o)).as("%s: %s", path, describe(o)).isEmpty());
        }
    }

    @Test
    void everyFileTheGuideAppliesExistsAndIsValid() {
        List<String> files = new ArrayList<>();
        for (String command : commands) {
            List<String> words = List.of(command.trim().split("\\s+"));
            if (!words.contains("kubectl")) {
                continue;
            }
            for (int i = 0; i < words.size() - 1; i++) {
                String next = words.get(i + 1);
                if ((words.get(i).equals("-f") || words.get(i).equals("--filename")) && !next.equals("-")
                        && !next.startsWith("https://")) {
                    files.add(next);
                }
            }
        }
        assertThat(files).as("kubectl -f files in %s", GUIDE).contains(SEND_EXAMPLE.toString());
        for (String file : files) {
            assertThat(Path.of(file)).as("%s applies %s", GUIDE, file).isRegularFile();
            Kustomize.read(Path.of(file))
                    .forEach(o -> assertThat(schemas.validate(o)).as("%s: %s", file, describe(o)).isEmpty());
        }
    }

    @Test
    void operatorsAreInstalledAtTheVersionsTheSchemasComeFrom() {
        List<String> urls = new ArrayList<>();
        Matcher matcher = Pattern.compile("https://\\S+").matcher(String.join("\n", commands));
        while (matcher.find()) {
            urls.add(matcher.group());
        }
        List<String> strimzi = urls.stream().filter(u -> u.contains("strimzi")).toList();
        List<String> keda = urls.stream().filter(u -> u.contains("kedacore")).toList();
        assertThat(strimzi).as("Strimzi install URLs").isNotEmpty().allMatch(u -> u.contains("0.49."));
        assertThat(keda).as("KEDA install URLs").isNotEmpty().allMatch(u -> u.contains("2.20."));
        assertThat(Kustomize.K8S.resolve("schemas/strimzi-0.49-kafkatopics.yaml")).isRegularFile();
        assertThat(Kustomize.K8S.resolve("schemas/keda-2.20-scaledobjects.yaml")).isRegularFile();
        assertThat(urls).as("no moving targets").noneMatch(u -> u.contains("latest"));
    }

    @Test
    void everyExampleManifestMatchesItsSchema() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                List<ObjectNode> objects = file.getFileName().toString().equals("kustomization.yaml")
                        ? renderAllowingFilesOutside(file.getParent()) : Kustomize.read(file);
                assertThat(objects).as(file.toString()).isNotEmpty();
                objects.forEach(o -> assertThat(schemas.validate(o)).as("%s: %s", file, describe(o)).isEmpty());
            }
        }
    }

    @Test
    void sendExampleRunsUnderTheRestrictedPodSecurityStandard() {
        ObjectNode job = Kustomize.named(Kustomize.read(SEND_EXAMPLE), "Job", "send-first-mail").orElseThrow();
        JsonNode pod = job.path("spec").path("template").path("spec");
        JsonNode podSecurity = pod.path("securityContext");
        assertThat(podSecurity.path("runAsNonRoot").asBoolean()).as("pod runAsNonRoot").isTrue();
        assertThat(podSecurity.path("runAsUser").asInt(0)).as("pod runAsUser").isPositive();
        assertThat(podSecurity.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.path("hostNetwork").asBoolean() || pod.path("hostPID").asBoolean()
                || pod.path("hostIPC").asBoolean()).as("host namespaces").isFalse();
        for (JsonNode volume : pod.path("volumes")) {
            assertThat(volume.has("configMap") || volume.has("emptyDir") || volume.has("secret"))
                    .as("volume %s is of a type the restricted profile allows", volume.path("name").asText()).isTrue();
        }
        assertThat(pod.path("containers")).isNotEmpty();
        for (JsonNode container : pod.path("containers")) {
            JsonNode security = container.path("securityContext");
            String name = container.path("name").asText();
            assertThat(security.path("allowPrivilegeEscalation").isBoolean()
                    && !security.path("allowPrivilegeEscalation").asBoolean())
                    .as("%s: allowPrivilegeEscalation false", name).isTrue();
            assertThat(texts(security.path("capabilities").path("drop"))).as("%s: capabilities dropped", name)
                    .contains("ALL");
            assertThat(texts(security.path("capabilities").path("add"))).as("%s: capabilities added", name)
                    .isSubsetOf("NET_BIND_SERVICE");
            assertThat(security.path("privileged").asBoolean()).as("%s: privileged", name).isFalse();
            assertThat(security.path("runAsNonRoot").asBoolean(true)).as("%s: runAsNonRoot", name).isTrue();
        }
    }

    @Test
    void sendExampleUsesTheImageAndNamespaceOfTheDevOverlay() {
        List<ObjectNode> dev = Kustomize.render(Kustomize.K8S.resolve("overlays/dev"));
        ObjectNode gateway = Kustomize.named(dev, "Deployment", "mail-gateway").orElseThrow();
        List<ObjectNode> example = Kustomize.read(SEND_EXAMPLE);
        ObjectNode job = Kustomize.named(example, "Job", "send-first-mail").orElseThrow();
        assertThat(job.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText())
                .as("the image loaded into the cluster for the dev overlay")
                .isEqualTo(gateway.path("spec").path("template").path("spec").path("containers").path(0)
                        .path("image").asText());
        for (ObjectNode object : example) {
            assertThat(object.path("metadata").path("namespace").asText()).as(describe(object))
                    .isEqualTo(gateway.path("metadata").path("namespace").asText());
        }
    }

    @Test
    void customRoutesExampleGivesTheDeploymentEveryRouteInItsOwnNamespace() throws IOException {
        List<ObjectNode> objects = renderAllowingFilesOutside(CUSTOM_ROUTES_EXAMPLE);
        ObjectNode deployment = Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow();
        ObjectNode routes = Kustomize.find(objects, "ConfigMap", "mail-gateway-routes-").orElseThrow();
        assertThat(routes.path("metadata").path("namespace").asText()).as("the routes ConfigMap's namespace")
                .isEqualTo(deployment.path("metadata").path("namespace").asText());
        String mounted = null;
        for (JsonNode volume : deployment.path("spec").path("template").path("spec").path("volumes")) {
            if (volume.path("name").asText().equals("routes")) {
                mounted = volume.path("configMap").path("name").asText();
            }
        }
        assertThat(mounted).as("the ConfigMap the Deployment mounts as routes")
                .isEqualTo(routes.path("metadata").path("name").asText());

        Set<String> routeFiles = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml")).forEach(routeFiles::add);
        }
        Set<String> keys = new TreeSet<>();
        routes.path("data").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as("every file of routes/").isEqualTo(routeFiles);
    }

    @Test
    void guideNamesEveryTopicTheGatewayUses() throws IOException {
        String guide = Files.readString(GUIDE);
        Matcher topics = Pattern.compile("(?m)^gateway\\.topic\\.\\w+ = \\{\\{env:\\w+:([^}]+)}}")
                .matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        List<String> names = new ArrayList<>();
        while (topics.find()) {
            names.add(topics.group(1));
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(7);
        names.forEach(name -> assertThat(guide).as("%s names topic %s", GUIDE, name).contains("`" + name + "`"));
    }

    @Test
    void troubleshootingExplainsEveryReadinessCheck() throws IOException {
        String guide = Files.readString(GUIDE);
        int troubleshooting = guide.indexOf("\n## Troubleshooting");
        assertThat(troubleshooting).as("a Troubleshooting section (anchor #troubleshooting)").isPositive();
        String section = guide.substring(troubleshooting);
        Pattern check = Pattern.compile("(?:BackgroundHealthCheck\\(|super\\(\"gateway\", )\"([a-z-]+)\"");
        Set<String> checks = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = check.matcher(Files.readString(file));
                while (matcher.find()) {
                    checks.add(matcher.group(1));
                }
            }
        }
        assertThat(checks).contains("smtp-relay", "kafka-outcomes", "suppression-list");
        checks.forEach(id -> assertThat(section).as("Troubleshooting names readiness check %s", id)
                .contains("`" + id + "`"));
    }

    /** The lines of the guide's shell code blocks, with continuation lines joined. */
    private static List<String> shellCommands(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inShell = false;
        StringBuilder pending = new StringBuilder();
        for (String line : markdown.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("```")) {
                inShell = !inShell && (trimmed.equals("```bash") || trimmed.equals("```sh"));
                continue;
            }
            if (!inShell) {
                continue;
            }
            String withoutComment = trimmed.startsWith("#") ? "" : trimmed.replaceAll("\\s+#\\s.*$", "");
            if (withoutComment.endsWith("\\")) {
                pending.append(withoutComment, 0, withoutComment.length() - 1).append(' ');
                continue;
            }
            pending.append(withoutComment);
            lines.add(pending.toString());
            pending.setLength(0);
        }
        return lines;
    }

    /**
     * Renders like {@link Kustomize#render}, but lets a kustomization read files outside its folder, as the
     * custom-routes example reads the repository's routes/ (the guide says so where it applies it).
     */
    private static List<ObjectNode> renderAllowingFilesOutside(Path kustomization) {
        try {
            Path errors = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder("kubectl", "kustomize", LOAD_RESTRICTOR_NONE,
                        kustomization.toString()).redirectError(errors.toFile()).start();
                byte[] output = process.getInputStream().readAllBytes();
                if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    throw new AssertionError("kubectl kustomize " + kustomization + " failed:\n"
                            + Files.readString(errors));
                }
                List<ObjectNode> objects = new ArrayList<>();
                try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(output)) {
                    while (documents.hasNext()) {
                        if (documents.next() instanceof ObjectNode object) {
                            objects.add(object);
                        }
                    }
                }
                return objects;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new AssertionError("kubectl (1.21 or newer, with kustomize) is needed to render " + kustomization, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + kustomization, e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static String describe(JsonNode object) {
        return object.path("kind").asText() + " " + object.path("metadata").path("name").asText();
    }
}
