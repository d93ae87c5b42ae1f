package jobs.snapshot;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import jobs.config.KbackupProperties;
import jobs.kube.Cluster;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the snapshotter from {@code kbackup.snapshots.provider}. */
@Configuration(proxyBeanMethods = false)
public class SnapshotConfiguration {

    @Bean
    public Snapshotter snapshotter(KbackupProperties properties, ObjectProvider<Cluster> cluster, Clock clock) {
        KbackupProperties.Snapshots snapshots = properties.snapshots();
        return switch (snapshots.provider()) {
            case NONE -> new NoSnapshotter();
            case CSI -> new CsiSnapshotter(cluster.getObject(), snapshots.csi().volumeSnapshotClass());
            case AZURE_DISK -> new AzureDiskSnapshotter(computeManager(snapshots.azure()), snapshots.azure().resourceGroup(),
                    snapshots.pollInterval(), new DiskRateLimiter(clock, d -> Thread.sleep(d.toMillis())));
        };
    }

    static ComputeManager computeManager(KbackupProperties.AzureDisk azure) {
        AzureEnvironment environment = AzureEnvironment.AZURE;
        if (azure.resourceManagerEndpoint() != null && !azure.resourceManagerEndpoint().isBlank()) {
            // Only the ARM endpoint changes for a sovereign cloud or an emulator; the SDK needs the rest of the map.
            Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
            endpoints.put("resourceManagerEndpointUrl", azure.resourceManagerEndpoint());
            environment = new AzureEnvironment(endpoints);
        }
        AzureProfile profile = new AzureProfile(azure.tenantId(), azure.subscriptionId(), environment);
        if (azure.credential() == KbackupProperties.AzureCredential.NONE) {
            // An ARM emulator without authentication (plain http is refused by the token credential policy).
            HttpPipeline pipeline = new HttpPipelineBuilder().httpClient(HttpClient.createDefault())
                    .policies(new UserAgentPolicy("kbackup"), new RetryPolicy(), new HttpLoggingPolicy(null)).build();
            return ComputeManager.authenticate(pipeline, profile);
        }
        TokenCredential credential = new DefaultAzureCredentialBuilder().tenantId(azure.tenantId()).build();
        return ComputeManager.authenticate(credential, profile);
    }
}
