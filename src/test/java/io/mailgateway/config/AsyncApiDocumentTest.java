package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * docs/asyncapi.yaml describes the topics the gateway really uses: every topic of {@link Topics} at its default name
 * and no other (besides the tenants' own request topics), with references that all lead somewhere. Validation against
 * the AsyncAPI specification itself is the AsyncAPI CLI's job (.ci/asyncapi.sh).
 */
class AsyncApiDocumentTest {

    private static final Path DOCUMENT = Path.of("docs", "asyncapi.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theDocumentNamesEveryTopicOfTheGatewayAndNoOther() throws Exception {
        Topics topics = Topics.from(Settings.of(DefaultSettings.defaults()));
        Set<String> expected = new TreeSet<>();
        for (RecordComponent component : Topics.class.getRecordComponents()) {
            if (!component.getName().equals("groupId")) {
                expected.add((String) component.getAccessor().invoke(topics));
            }
        }

        Set<String> named = new TreeSet<>();
        Set<String> patterns = new TreeSet<>();
        document().path("channels").forEach(channel -> {
            String address = channel.path("address").asText();
            (address.contains("{") ? patterns : named).add(address);
        });

        assertThat(named).isEqualTo(expected);
        assertThat(patterns).as("the tenants' request topics, as the README's topicPattern example names them")
                .containsExactly(topics.outbound() + ".{tenant}");
    }

    @Test
    void everyChannelHasAnOperationOfTheGateway() throws IOException {
        JsonNode document = document();
        Set<String> used = new HashSet<>();
        document.path("operations").forEach(operation -> {
            assertThat(operation.path("action").asText()).isIn("send", "receive");
            used.add(operation.path("channel").path("$ref").asText());
        });
        List<String> channels = new ArrayList<>();
        document.path("channels").fieldNames().forEachRemaining(name -> channels.add("#/channels/" + name));

        assertThat(used).containsExactlyInAnyOrderElementsOf(channels);
    }

    @Test
    void everyReferenceLeadsToAnExistingSchemaOrPart() throws IOException {
        JsonNode document = document();
        List<String> references = new ArrayList<>();
        collectReferences(document, references);
        assertThat(references).isNotEmpty();

        Set<Path> files = new TreeSet<>();
        for (String reference : references) {
            if (reference.startsWith("#")) {
                assertThat(document.at(JsonPointer.compile(reference.substring(1))).isMissingNode()).as(reference)
                        .isFalse();
            } else {
                Path file = DOCUMENT.getParent().resolve(reference).normalize();
                assertThat(file).as(reference).isRegularFile();
                assertThat(new ObjectMapper().readTree(file.toFile()).path("$schema").asText()).as(reference)
                        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
                files.add(file);
            }
        }
        assertThat(files).as("the published contracts").containsExactlyInAnyOrder(
                Path.of("src/main/resources/schemas/mail-request-v1.schema.json"),
                Path.of("src/main/resources/schemas/delivery-result-v1.schema.json"),
                Path.of("src/main/resources/schemas/delivery-event-v1.schema.json"));
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
                if (field.getKey().equals("$ref")) {
                    references.add(field.getValue().asText());
                } else {
                    collectReferences(field.getValue(), references);
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectReferences(element, references));
        }
    }

    private static JsonNode document() throws IOException {
        return YAML.readTree(DOCUMENT.toFile());
    }
}
