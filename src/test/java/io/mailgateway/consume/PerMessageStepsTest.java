package io.mailgateway.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ScriptDefinition;
import org.apache.camel.model.SetBodyDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.junit.jupiter.api.Test;

import io.mailgateway.support.RouteModel;

/**
 * The routes every request runs through call their beans as bean steps: a script, or a body set through the method
 * language, makes Camel copy the whole exchange and look the method up by reflection, for every message.
 */
class PerMessageStepsTest {

    private static final List<String> HOT_ROUTES = List.of("routes/consume-requests.camel.yaml",
            "routes/deliver.camel.yaml", "routes/error-handling.camel.yaml", "routes/publish-result.camel.yaml");

    // Flow beans that take the request or the render turn as plain types get them by property path; the others take
    // the attempt as what the flow asks of it (a Submission), services take the attempt, and the attempts bean hands
    // on the rest.
    private static final Set<String> PATHS_INTO_THE_ATTEMPT = Set.of("request", "renderTurn");
    private static final Pattern PATH_INTO_THE_ATTEMPT = Pattern.compile("\\$\\{exchangeProperty\\.attempt\\.(\\w+)");

    @Test
    void noStepOfARequestsPathIsAScript() throws Exception {
        assertThat(steps(ScriptDefinition.class)).isEmpty();
    }

    @Test
    void noStepOfARequestsPathSetsItsBodyThroughTheMethodLanguage() throws Exception {
        assertThat(steps(SetBodyDefinition.class))
                .noneMatch(step -> step.getExpression() instanceof MethodCallExpression);
    }

    @Test
    void noStepOfARequestsPathSetsAPropertyThroughTheMethodLanguage() throws Exception {
        assertThat(steps(SetPropertyDefinition.class))
                .noneMatch(step -> step.getExpression() instanceof MethodCallExpression);
    }

    @Test
    void beanStepsFollowNoPropertyPathIntoTheAttemptButTheFlowsPlainParts() throws Exception {
        // Each segment of such a path makes Camel copy the exchange and call the getter through its bean machinery.
        Set<String> paths = new TreeSet<>();
        for (BeanDefinition step : steps(BeanDefinition.class)) {
            Matcher path = PATH_INTO_THE_ATTEMPT.matcher(String.valueOf(step.getMethod()));
            while (path.find()) {
                paths.add(path.group(1));
            }
        }

        assertThat(paths).isSubsetOf(PATHS_INTO_THE_ATTEMPT);
    }

    @Test
    void camelRaisesNoEventPerExchangeForMetrics() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            properties.load(in);
        }

        assertThat(properties.getProperty("camel.metrics.enableExchangeEventNotifier")).isEqualTo("false");
    }

    private static <T extends ProcessorDefinition<?>> List<T> steps(Class<T> type) throws Exception {
        List<RouteDefinition> routes = RouteModel.load(HOT_ROUTES.stream().map(Path::of).toList());
        assertThat(routes).extracting(RouteDefinition::getRouteId)
                .contains("consume-requests", "handle-request", "deliver", "fail");
        return RouteModel.steps(routes, type);
    }
}
