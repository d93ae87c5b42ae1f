package jobs.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An API server double holding {@link ClusterFixture}'s cluster, fresh for each test and closed after it:
 * {@code @RegisterExtension final FixtureCluster cluster = new FixtureCluster();}, then {@code cluster.api()}.
 */
public final class FixtureCluster implements BeforeEachCallback, AfterEachCallback {

    private ApiServer api;

    public ApiServer api() {
        return api;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        api = ApiServer.start();
        ClusterFixture.populate(api);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (api != null) {
            api.close();
        }
    }
}
