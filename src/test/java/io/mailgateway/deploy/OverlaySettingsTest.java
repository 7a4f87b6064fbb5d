package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an overlay says is what its pods get. Kustomize applies an overlay's components after the overlay's own
 * generators, so a component that sets a value in the gateway's ConfigMap silently wins over the overlay's value
 * for the same key; and a variable in the container's env shadows the ConfigMap's.
 */
class OverlaySettingsTest {

    static Stream<Arguments> overlays() {
        return Kustomize.overlays().stream().map(o -> Arguments.of(o.getFileName().toString(), o));
    }

    static Stream<Arguments> components() {
        return Kustomize.components().stream().map(c -> Arguments.of(c.getFileName().toString(), c));
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void everySettingTheOverlayDeclaresIsTheValueTheContainerGets(String name, Path overlay) {
        Map<String, String> declared = declaredSettings(overlay);
        assertThat(declared).as("settings of overlay %s", name).isNotEmpty();

        Map<String, String> effective = containerSettings(Kustomize.render(overlay));

        declared.forEach((key, value) -> assertThat(effective.get(key))
                .as("overlay %s declares %s=%s; the container gets", name, key, value).isEqualTo(value));
    }

    @ParameterizedTest(name = "component {0}")
    @MethodSource("components")
    void componentSetsNoValueOfTheGatewaysConfigMap(String name, Path component) {
        // any value a component put there would override the same key in the overlay's config.env
        Map<String, String> base = Kustomize.config(Kustomize.render(Kustomize.K8S.resolve("base")));

        assertThat(Kustomize.config(Kustomize.renderBaseWith(component))).as("component %s", name).isEqualTo(base);
    }

    @ParameterizedTest(name = "component {0}")
    @MethodSource("components")
    void anOverlaysValueWinsOverTheComponentsForEveryKeyOfTheConfigMap(String name, Path component) {
        Map<String, String> base = Kustomize.config(Kustomize.render(Kustomize.K8S.resolve("base")));
        Map<String, String> overlay = new LinkedHashMap<>();
        base.keySet().forEach(key -> overlay.put(key, "set-by-the-overlay-" + key.toLowerCase()));

        Map<String, String> effective = containerSettings(
                Kustomize.renderBaseWith("overlay-over-" + name, overlay, List.of(component)));

        overlay.forEach((key, value) -> assertThat(effective.get(key)).as("component %s, %s", name, key).isEqualTo(value));
    }

    /** The settings an overlay writes down: its ConfigMap generator's env files and literals, its env patches. */
    private static Map<String, String> declaredSettings(Path overlay) {
        Map<String, String> declared = new LinkedHashMap<>();
        ObjectNode kustomization = Kustomize.read(overlay.resolve("kustomization.yaml")).get(0);
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            if ("mail-gateway-config".equals(generator.path("name").asText())) {
                generator.path("envs").forEach(file -> declared.putAll(Kustomize.envFile(overlay.resolve(file.asText()))));
                generator.path("literals").forEach(literal -> {
                    String text = literal.asText();
                    declared.put(text.substring(0, text.indexOf('=')), text.substring(text.indexOf('=') + 1));
                });
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            Path file = overlay.resolve(patch.path("path").asText("-"));
            if (!patch.has("path") || !Files.isRegularFile(file)) {
                continue;
            }
            for (ObjectNode object : Kustomize.read(file)) {
                for (JsonNode container : object.path("spec").path("template").path("spec").path("containers")) {
                    container.path("env").forEach(v -> {
                        if (v.has("value")) {
                            declared.put(v.path("name").asText(), v.path("value").asText());
                        }
                    });
                }
            }
        }
        return declared;
    }

    /** Name to value as the gateway's container sees it: env entries over the ConfigMap; null for a valueFrom. */
    private static Map<String, String> containerSettings(List<ObjectNode> objects) {
        Map<String, String> settings = new LinkedHashMap<>(Kustomize.config(objects));
        JsonNode container = Kustomize.find(objects, "Deployment", "mail-gateway").orElseThrow()
                .path("spec").path("template").path("spec").path("containers").get(0);
        container.path("env").forEach(v -> settings.put(v.path("name").asText(),
                v.has("value") ? v.path("value").asText() : null));
        return settings;
    }
}
