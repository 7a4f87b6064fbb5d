package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest under k8s/ renders with kustomize and is valid against the Kubernetes, KEDA and Strimzi schemas. */
class ManifestsTest {

    private static KubernetesSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = KubernetesSchemas.load(Kustomize.K8S.resolve("schemas"));
    }

    static Stream<Arguments> renderings() {
        List<Arguments> renderings = new ArrayList<>();
        Kustomize.overlays().forEach(o -> renderings.add(Arguments.of("overlay " + o.getFileName(), o, false)));
        Kustomize.components().forEach(c -> renderings.add(Arguments.of("base + component " + c.getFileName(), c, true)));
        return renderings.stream();
    }

    private static List<ObjectNode> render(Path dir, boolean component) {
        return component ? Kustomize.renderBaseWith(dir) : Kustomize.render(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyRenderedObjectMatchesItsSchema(String name, Path dir, boolean component) {
        List<ObjectNode> objects = render(dir, component);
        assertThat(objects).as(name).isNotEmpty();
        for (ObjectNode object : objects) {
            assertThat(schemas.validate(object)).as("%s: %s %s", name, object.path("kind").asText(),
                    object.path("metadata").path("name").asText()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyImageIsPinnedToATagOtherThanLatest(String name, Path dir, boolean component) {
        for (ObjectNode object : render(dir, component)) {
            for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                String image = container.path("image").asText();
                String tag = image.substring(image.lastIndexOf('/') + 1);
                assertThat(tag).as("%s: image %s", name, image).contains(":").doesNotEndWith(":latest");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyObjectCarriesTheStandardLabels(String name, Path dir, boolean component) {
        for (ObjectNode object : render(dir, component)) {
            JsonNode labels = object.path("metadata").path("labels");
            for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
                    "app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")) {
                assertThat(labels.path(label).asText()).as("%s: %s %s has %s", name, object.path("kind").asText(),
                        object.path("metadata").path("name").asText(), label).isNotBlank();
            }
        }
    }

    @Test
    void exampleSecretsMatchTheSecretSchemaAndHoldOnlyPlaceholders() throws Exception {
        try (Stream<Path> files = Files.list(Kustomize.K8S.resolve("examples"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                for (ObjectNode object : Kustomize.read(file)) {
                    assertThat(schemas.validate(object)).as(file.toString()).isEmpty();
                    object.path("stringData").fields().forEachRemaining(entry -> {
                        if (!entry.getKey().equals("username")) {
                            assertThat(entry.getValue().asText()).as("%s %s", file, entry.getKey()).contains("REPLACE_WITH_");
                        }
                    });
                }
            }
        }
    }

    // The checks above are only worth something if the schemas really reject each kind of mistake.

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("Deployment", "unknown field", "is not defined in the schema",
                        edit(o -> container(o).put("imagePullPolicyy", "Always"))),
                Arguments.of("Deployment", "wrong type", "integer",
                        edit(o -> ((ObjectNode) o.path("spec")).put("replicas", "two"))),
                Arguments.of("Deployment", "missing required field", "required",
                        edit(o -> container(o).remove("name"))),
                Arguments.of("Deployment", "unknown field in metadata", "is not defined in the schema",
                        edit(o -> ((ObjectNode) o.path("metadata")).put("label", "x"))),
                Arguments.of("ScaledObject", "unknown field", "is not defined in the schema",
                        edit(o -> ((ObjectNode) o.path("spec")).put("maxReplicas", 3))),
                Arguments.of("ScaledObject", "wrong type", "integer",
                        edit(o -> ((ObjectNode) o.path("spec")).put("minReplicaCount", "two"))),
                Arguments.of("ScaledObject", "missing required field", "required",
                        edit(o -> ((ObjectNode) o.path("spec")).remove("scaleTargetRef"))),
                Arguments.of("KafkaTopic", "unknown field", "is not defined in the schema",
                        edit(o -> ((ObjectNode) o.path("spec")).put("partition", 3))),
                Arguments.of("KafkaTopic", "wrong type", "integer",
                        edit(o -> ((ObjectNode) o.path("spec")).put("partitions", "many"))),
                Arguments.of("KafkaUser", "unknown field", "is not defined in the schema",
                        edit(o -> ((ObjectNode) o.path("spec").path("authorization")).put("acl", "all"))),
                Arguments.of("KafkaUser", "value outside the enumeration", "enum",
                        edit(o -> ((ObjectNode) o.path("spec").path("authorization").path("acls").get(0))
                                .putArray("operations").add("Produce"))),
                Arguments.of("KafkaUser", "missing required field", "required",
                        edit(o -> ((ObjectNode) o.path("spec").path("authorization")).remove("type"))),
                Arguments.of("Service", "missing required field", "required",
                        edit(o -> ((ObjectNode) o.path("spec").path("ports").get(0)).remove("port"))));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("mistakes")
    void schemasRejectEachKindOfMistake(String kind, String mistake, String expected, Consumer<ObjectNode> edit) {
        List<ObjectNode> objects = new ArrayList<>(Kustomize.render(Kustomize.K8S.resolve("overlays/prod")));
        objects.addAll(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/strimzi-topics")));
        objects.addAll(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/tenant-topics")));
        ObjectNode object = Kustomize.find(objects, kind, "").orElseThrow().deepCopy();
        assertThat(schemas.validate(object)).as("valid before the edit").isEmpty();

        edit.accept(object);

        assertThat(schemas.validate(object)).as(mistake).isNotEmpty().anySatisfy(p -> assertThat(p).contains(expected));
    }

    @Test
    void objectsOfAnUnknownKindAreRejected() {
        ObjectNode object = Kustomize.read(Kustomize.K8S.resolve("examples/secrets.example.yaml")).get(0).deepCopy();
        object.put("apiVersion", "v2");

        assertThat(schemas.validate(object)).singleElement().asString().contains("no schema for v2 Secret");
    }

    private static Consumer<ObjectNode> edit(Consumer<ObjectNode> edit) {
        return edit;
    }

    private static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) ((ArrayNode) deployment.path("spec").path("template").path("spec").path("containers")).get(0);
    }
}
