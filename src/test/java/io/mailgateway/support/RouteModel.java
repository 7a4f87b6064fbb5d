package io.mailgateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/** The route files as Camel reads them, nothing created or started: for tests of what the YAML says. */
public final class RouteModel {

    private RouteModel() {
    }

    /** Every route file of the project (routes/*.camel.yaml). */
    public static List<Path> allFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    /** The routes these files define, with the gateway's properties. */
    public static List<RouteDefinition> load(List<Path> files) throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            for (Path file : files) {
                PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:" + file));
            }
            return List.copyOf(((ModelCamelContext) context).getRouteDefinitions());
        }
    }

    /** The steps of this type in the routes, nested ones included. */
    public static <T extends ProcessorDefinition<?>> List<T> steps(List<RouteDefinition> routes, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (RouteDefinition route : routes) {
            found.addAll(ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), type));
        }
        return found;
    }
}
