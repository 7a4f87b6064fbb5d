package io.mailgateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.logging.log4j.core.config.plugins.processor.PluginCache;
import org.apache.logging.log4j.core.config.plugins.processor.PluginEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar holds one log4j plugin index, and the gateway's own wins: it must list the plugins of every log4j
 * jar the gateway ships (log4j-core's appenders and layouts, the JSON template layout's), or GATEWAY_LOG_FORMAT=json
 * finds no layout in the packaged jar. After a log4j upgrade this test writes the new index to
 * {@code target/Log4j2Plugins.dat}, to be copied over the one in {@code src/main/resources}.
 */
class LogPluginIndexTest {

    private static final String INDEX = "META-INF/org/apache/logging/log4j/core/config/plugins/Log4j2Plugins.dat";
    private static final Path OWN_INDEX = Path.of("src/main/resources", INDEX);

    @Test
    void theGatewaysPluginIndexListsThePluginsOfEveryLog4jJar() throws IOException {
        List<URL> jarIndexes = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources(INDEX))) {
            if (url.getProtocol().equals("jar")) {
                jarIndexes.add(url);
            }
        }
        assertThat(jarIndexes).as("log4j-core and log4j-layout-template-json each bring an index").hasSizeGreaterThanOrEqualTo(2);
        PluginCache merged = new PluginCache();
        merged.loadCacheFiles(Collections.enumeration(jarIndexes));
        PluginCache own = new PluginCache();
        if (Files.isRegularFile(OWN_INDEX)) {
            own.loadCacheFiles(Collections.enumeration(List.of(OWN_INDEX.toUri().toURL())));
        }

        if (!entries(own).equals(entries(merged))) {
            Path fresh = Path.of("target", "Log4j2Plugins.dat");
            try (OutputStream out = Files.newOutputStream(fresh)) {
                merged.writeCache(out);
            }
            assertThat(entries(own)).as("%s is out of date: copy %s over it", OWN_INDEX, fresh)
                    .isEqualTo(entries(merged));
        }
    }

    private static Map<String, String> entries(PluginCache cache) {
        Map<String, String> entries = new TreeMap<>();
        cache.getAllCategories().forEach((category, plugins) -> plugins.forEach((key, entry) ->
                entries.put(category + "/" + key, describe(entry))));
        return entries;
    }

    private static String describe(PluginEntry entry) {
        return entry.getClassName() + " " + entry.getName() + " " + entry.isPrintable() + " " + entry.isDefer();
    }
}
