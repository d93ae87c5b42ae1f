package jobs.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import jobs.kube.ResourceType;
import jobs.support.InvalidInputException;
import org.junit.jupiter.api.Test;

class ResourceFilterTest {

    static final ResourceType CONFIGMAPS = new ResourceType("", "v1", "configmaps", "ConfigMap", true, List.of("cm"));
    static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "deployments", "Deployment", true, List.of("deploy"));
    static final ResourceType EVENTS = new ResourceType("", "v1", "events", "Event", true, List.of("ev"));
    static final ResourceType NEW_EVENTS = new ResourceType("events.k8s.io", "v1", "events", "Event", true, List.of("ev"));
    static final ResourceType NODES = new ResourceType("", "v1", "nodes", "Node", false, List.of("no"));
    static final List<ResourceType> KNOWN = List.of(CONFIGMAPS, DEPLOYMENTS, EVENTS, NEW_EVENTS, NODES);

    @Test
    void everythingButNoiseByDefault() {
        ResourceFilter filter = ResourceFilter.resolve(List.of(), List.of(), KNOWN);
        assertThat(KNOWN.stream().filter(filter::includes)).containsExactly(CONFIGMAPS, DEPLOYMENTS);
    }

    @Test
    void namesByPluralQualifiedPluralKindOrShortName() {
        for (String name : List.of("deployments", "deployments.apps", "Deployment", "deploy", "DEPLOYMENT.apps")) {
            ResourceFilter filter = ResourceFilter.resolve(List.of(name), List.of(), KNOWN);
            assertThat(KNOWN.stream().filter(filter::includes)).as(name).containsExactly(DEPLOYMENTS);
        }
    }

    @Test
    void explicitIncludeBringsBackWhatIsLeftOutByDefault() {
        ResourceFilter filter = ResourceFilter.resolve(List.of("events", "nodes"), List.of(), KNOWN);
        assertThat(KNOWN.stream().filter(filter::includes)).containsExactly(EVENTS, NEW_EVENTS, NODES);
        assertThat(KNOWN.stream().filter(ResourceFilter.resolve(List.of("events.events.k8s.io"), List.of(), KNOWN)::includes))
                .containsExactly(NEW_EVENTS);
    }

    @Test
    void excludeWins() {
        ResourceFilter filter = ResourceFilter.resolve(List.of("*"), List.of("cm"), KNOWN);
        assertThat(KNOWN.stream().filter(filter::includes)).containsExactly(DEPLOYMENTS);
    }

    @Test
    void unknownNameIsInvalidInputNamingIt() {
        assertThatThrownBy(() -> ResourceFilter.resolve(List.of("deployments", "widgets"), List.of(), KNOWN))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--include-resources: unknown resource 'widgets' (not served by the cluster)");
    }
}
