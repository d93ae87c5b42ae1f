package jobs.store;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import jobs.config.KbackupProperties;
import jobs.metrics.JobMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the blob store from {@code kbackup.storage.type}. */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean
    BlobStore blobStore(KbackupProperties properties, JobMetrics metrics) {
        return create(properties.storage(), metrics.registry());
    }

    @Bean
    RestorePoints restorePoints(BlobStore blobStore, KbackupProperties properties) {
        KbackupProperties.Encryption encryption = properties.encryption();
        Keyring keyring = encryption.enabled() ? Keyring.of(encryption.allKeys(), encryption.activeKey(),
                encryption.keys().isEmpty() ? "kbackup.encryption.key" : "kbackup.encryption.keys") : null;
        return new RestorePoints(blobStore, keyring, encryption.acceptUnauthenticated());
    }

    @Bean
    ReaderMarks readerMarks(BlobStore blobStore, java.time.Clock clock) {
        return new ReaderMarks(blobStore, clock);
    }

    @Bean
    RestoreRecords restoreRecords(BlobStore blobStore) {
        return new RestoreRecords(blobStore);
    }

    /** Builds the configured store; public so tools and tests get exactly what the jobs get. */
    public static BlobStore create(KbackupProperties.Storage storage) {
        return create(storage, new SimpleMeterRegistry());
    }

    /**
     * The blobs below {@code prefix} of the configured container or folder, whatever kbackup's own prefix: where
     * another tool's storage location (Velero's) sits beside kbackup's. Read with kbackup's credentials.
     */
    public static BlobStore sibling(KbackupProperties.Storage storage, String prefix) {
        return create(new KbackupProperties.Storage(storage.type(), prefix, storage.filesystem(), storage.azure()));
    }

    /** The files below a local folder, as blobs. */
    public static BlobStore folder(Path folder) {
        return new FilesystemBlobStore(folder);
    }

    /** The configured store, counting its operations (and Azure's HTTP requests) in {@code registry}. */
    static BlobStore create(KbackupProperties.Storage storage, MeterRegistry registry) {
        BlobStore store = switch (storage.type()) {
            case FILESYSTEM -> new FilesystemBlobStore(storage.prefix().isEmpty()
                    ? storage.filesystem().path() : storage.filesystem().path().resolve(Path.of(storage.prefix())));
            case AZURE_BLOB -> azure(storage, registry);
        };
        return new MeteredBlobStore(store, registry);
    }

    private static BlobStore azure(KbackupProperties.Storage storage, MeterRegistry registry) {
        KbackupProperties.Azure azure = storage.azure();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().retryOptions(new RequestRetryOptions(
                RetryPolicyType.EXPONENTIAL, azure.maxTries(), null, azure.retryDelay().toMillis(),
                azure.maxRetryDelay().toMillis(), null));
        // Per retry: every HTTP request that reaches the service is one that Azure bills.
        builder.addPolicy(new HttpPipelineSyncPolicy() {
            @Override
            protected void beforeSendingRequest(HttpPipelineCallContext context) {
                Counter.builder("kbackup.storage.http.requests").description("HTTP requests sent to Azure Blob, retries included")
                        .tag("method", context.getHttpRequest().getHttpMethod().name()).register(registry).increment();
            }

            @Override
            public HttpPipelinePosition getPipelinePosition() {
                return HttpPipelinePosition.PER_RETRY;
            }
        });
        if (azure.hasConnectionString()) {
            builder.connectionString(azure.connectionString());
        } else {
            // Workload identity on AKS, a managed identity, or the developer's az login.
            builder.endpoint(azure.endpoint()).credential(new DefaultAzureCredentialBuilder().build());
        }
        return new AzureBlobStore(builder.buildClient().getBlobContainerClient(azure.container()), storage.prefix());
    }
}
