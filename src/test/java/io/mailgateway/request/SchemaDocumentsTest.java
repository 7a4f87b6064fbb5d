package io.mailgateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks the published schema files as documents: valid 2020-12 schemas, and described for the people who read them. */
class SchemaDocumentsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"mail-request-v1.schema.json", "delivery-result-v1.schema.json",
            "delivery-event-v1.schema.json", "tenants.schema.json", "relays.schema.json"})
    void isAValidJsonSchema202012(String file) throws IOException {
        JsonNode document = read(file);
        // format assertions on, so that every "pattern" must also be a valid regular expression
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        JsonSchema metaSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(SchemaId.V202012), config);

        Set<ValidationMessage> problems = metaSchema.validate(document);

        assertThat(problems).isEmpty();
        assertThat(document.path("$schema").asText()).isEqualTo(SchemaId.V202012);
        assertThat(document.path("$id").asText()).endsWith("/" + file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail-request-v1.schema.json", "delivery-result-v1.schema.json",
            "delivery-event-v1.schema.json", "tenants.schema.json", "relays.schema.json"})
    void describesEveryPropertyAndDefinition(String file) throws IOException {
        List<String> undescribed = new ArrayList<>();
        collectUndescribed(read(file), "", undescribed);

        assertThat(undescribed).isEmpty();
    }

    private static void collectUndescribed(JsonNode schema, String path, List<String> undescribed) {
        for (String container : List.of("properties", "$defs")) {
            for (Map.Entry<String, JsonNode> entry : schema.path(container).properties()) {
                String childPath = path + "/" + container + "/" + entry.getKey();
                if (!entry.getValue().hasNonNull("description")) {
                    undescribed.add(childPath);
                }
                collectUndescribed(entry.getValue(), childPath, undescribed);
            }
        }
    }

    static JsonNode read(String file) throws IOException {
        try (InputStream in = SchemaDocumentsTest.class.getResourceAsStream("/schemas/" + file)) {
            assertThat(in).as(file + " on the classpath").isNotNull();
            return JSON.readTree(in);
        }
    }
}
