package io.mailgateway.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Reads a YAML (or JSON) settings file: checked against its published JSON Schema, then bound to a record, so that
 * a mistake, an unknown key included, stops start-up with a message naming the file and the key.
 */
public final class SettingsFile {

    private static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    private static final String SCHEMA_RESOURCES = "schemas/";
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private SettingsFile() {
    }

    /**
     * Reads the file against the schema {@code schemas/<kind>.schema.json} and binds it to {@code type}; any problem
     * is an {@link IllegalStateException} whose message names the file and the key path (e.g.
     * {@code tenants.yaml: tenants.acme.from: ...}) and never a value of the file.
     *
     * @param kind what the file holds, such as {@code tenants}: names its schema and the file in messages
     */
    public static <T> T read(Path file, String kind, Class<T> type) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the " + kind + " file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        String schemaName = kind + ".schema.json";
        Set<ValidationMessage> violations = schema(schemaName).validate(root);
        if (!violations.isEmpty()) {
            String problem = new SchemaMessages(schemaDocument(schemaName)).describe(violations);
            throw new IllegalStateException(file + ": " + problem);
        }
        try {
            return YAML.treeToValue(root, type);
        } catch (JsonMappingException e) {
            // Jackson's own words may quote the value, which can be a secret, so neither they nor the cause go on
            throw new IllegalStateException(file + ": " + KeyPaths.of(e.getPath()) + ": not a valid value");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the " + kind + " file " + file);
        }
    }

    /** Where a key of the file is, for the checks made after binding: {@code tenants.yaml: tenants.acme.relays}. */
    public static String where(Path file, String keyPath) {
        return file + ": " + keyPath;
    }

    private static JsonSchema schema(String name) {
        // "errorMessage" is the schema's own wording of a rule; declared so that the validator takes it as known
        JsonMetaSchema metaSchema = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keyword(new AnnotationKeyword(SchemaMessages.ERROR_MESSAGE))
                .build();
        // the $id is mapped to the classpath so that loading never goes to the network
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.metaSchema(metaSchema)
                        .schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:" + SCHEMA_RESOURCES)));
        return factory.getSchema(SchemaLocation.of(SCHEMA_BASE + name));
    }

    private static JsonNode schemaDocument(String name) {
        try (InputStream in = SettingsFile.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("The schema " + name + " is missing from the gateway");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
