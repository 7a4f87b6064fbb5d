package io.mailgateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The schemas in k8s/schemas (Kubernetes' API definitions and the KEDA and Strimzi CRDs) as strict JSON Schemas:
 * an unknown field, a wrong type and a missing required field are all errors, as with {@code kubectl apply
 * --validate=strict}.
 */
final class KubernetesSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

    private final ObjectNode definitions;
    private final Map<String, String> definitionByKind;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

    private KubernetesSchemas(ObjectNode definitions, Map<String, String> definitionByKind) {
        this.definitions = definitions;
        this.definitionByKind = definitionByKind;
    }

    /** Loads kubernetes-*.json (OpenAPI v2 definitions) and every CRD (*.yaml) in the folder. */
    static KubernetesSchemas load(Path dir) {
        ObjectNode definitions = JsonNodeFactory.instance.objectNode();
        Map<String, String> byKind = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("kubernetes-") && name.endsWith(".json")) {
                    addKubernetesDefinitions((ObjectNode) JSON.readTree(file.toFile()).get("definitions"), definitions, byKind);
                } else if (name.endsWith(".yaml")) {
                    addCustomResourceDefinition(YAML.readTree(file.toFile()), definitions, byKind);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Values Kubernetes accepts in either form, which the OpenAPI document declares as strings.
        definitions.set("io.k8s.apimachinery.pkg.util.intstr.IntOrString", types("integer", "string"));
        definitions.set("io.k8s.apimachinery.pkg.api.resource.Quantity", types("string", "number"));
        definitions.fields().forEachRemaining(entry -> strict(entry.getValue()));
        return new KubernetesSchemas(definitions, byKind);
    }

    private static void addKubernetesDefinitions(ObjectNode source, ObjectNode definitions, Map<String, String> byKind) {
        source.fields().forEachRemaining(entry -> {
            definitions.set(entry.getKey(), entry.getValue().deepCopy());
            for (JsonNode gvk : entry.getValue().path("x-kubernetes-group-version-kind")) {
                byKind.put(apiVersion(gvk.path("group").asText(), gvk.path("version").asText()) + " "
                        + gvk.path("kind").asText(), entry.getKey());
            }
        });
    }

    private static void addCustomResourceDefinition(JsonNode crd, ObjectNode definitions, Map<String, String> byKind) {
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            ObjectNode schema = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
            // a CRD declares metadata only as "object"; the API server checks it as ObjectMeta
            ((ObjectNode) schema.with("properties")).set("metadata", ref(OBJECT_META));
            String name = "crd." + group + "." + version.path("name").asText() + "." + kind;
            definitions.set(name, schema);
            byKind.put(apiVersion(group, version.path("name").asText()) + " " + kind, name);
        }
    }

    /**
     * Every object schema that lists its properties rejects others, unless it says it keeps unknown fields;
     * int-or-string fields take both; the x-kubernetes-* annotations, which JSON Schema does not know, go.
     */
    private static void strict(JsonNode node) {
        if (node instanceof ArrayNode array) {
            array.forEach(KubernetesSchemas::strict);
            return;
        }
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            schema.set("type", types("integer", "string").get("type"));
        }
        boolean keepsUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.has("properties") && !schema.has("additionalProperties") && !keepsUnknown) {
            schema.put("additionalProperties", false);
        }
        for (Iterator<String> names = schema.fieldNames(); names.hasNext();) {
            if (names.next().startsWith("x-kubernetes-")) {
                names.remove();
            }
        }
        schema.path("properties").forEach(KubernetesSchemas::strict);
        for (String keyword : List.of("items", "additionalProperties", "allOf", "anyOf", "oneOf", "not")) {
            strict(schema.get(keyword));
        }
    }

    /** The problems with one object, each naming its path; empty when the object is valid. */
    List<String> validate(JsonNode object) {
        String key = object.path("apiVersion").asText() + " " + object.path("kind").asText();
        String definition = definitionByKind.get(key);
        if (definition == null) {
            return List.of("no schema for " + key + " in k8s/schemas");
        }
        JsonSchema schema = schemas.computeIfAbsent(definition, this::compile);
        Set<ValidationMessage> messages = schema.validate(object);
        List<String> problems = new ArrayList<>();
        messages.forEach(m -> problems.add(m.getMessage()));
        return problems;
    }

    Set<String> kinds() {
        return definitionByKind.keySet();
    }

    private JsonSchema compile(String definition) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("$schema", "http://json-schema.org/draft-04/schema#");
        root.set("definitions", definitions);
        root.put("$ref", "#/definitions/" + definition);
        return factory.getSchema(root);
    }

    private static String apiVersion(String group, String version) {
        return group.isEmpty() ? version : group + "/" + version;
    }

    private static ObjectNode ref(String definition) {
        return JsonNodeFactory.instance.objectNode().put("$ref", "#/definitions/" + definition);
    }

    private static ObjectNode types(String... types) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ArrayNode list = node.putArray("type");
        for (String type : types) {
            list.add(type);
        }
        return node;
    }
}
