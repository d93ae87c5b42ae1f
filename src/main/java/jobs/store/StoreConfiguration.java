package jobs.store;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.nio.file.Path;
import jobs.config.KbackupProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the blob store from {@code kbackup.storage.type}. */
@Configuration(proxyBeanMethods = false)
public class StoreConfiguration {

    @Bean
    BlobStore blobStore(KbackupProperties properties) {
        return create(properties.storage());
    }

    @Bean
    RestorePoints restorePoints(BlobStore blobStore, KbackupProperties properties) {
        KbackupProperties.Encryption encryption = properties.encryption();
        return new RestorePoints(blobStore, encryption.enabled() ? ChunkCipher.of(encryption.keyId(), encryption.key()) : null);
    }

    @Bean
    RestoreRecords restoreRecords(BlobStore blobStore) {
        return new RestoreRecords(blobStore);
    }

    /** Builds the configured store; public so tools and tests get exactly what the jobs get. */
    public static BlobStore create(KbackupProperties.Storage storage) {
        return switch (storage.type()) {
            case FILESYSTEM -> new FilesystemBlobStore(storage.prefix().isEmpty()
                    ? storage.filesystem().path() : storage.filesystem().path().resolve(Path.of(storage.prefix())));
            case AZURE_BLOB -> azure(storage);
        };
    }

    private static BlobStore azure(KbackupProperties.Storage storage) {
        KbackupProperties.Azure azure = storage.azure();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().retryOptions(new RequestRetryOptions(
                RetryPolicyType.EXPONENTIAL, azure.maxTries(), null, azure.retryDelay().toMillis(),
                azure.maxRetryDelay().toMillis(), null));
        if (azure.hasConnectionString()) {
            builder.connectionString(azure.connectionString());
        } else {
            // Workload identity on AKS, a managed identity, or the developer's az login.
            builder.endpoint(azure.endpoint()).credential(new DefaultAzureCredentialBuilder().build());
        }
        return new AzureBlobStore(builder.buildClient().getBlobContainerClient(azure.container()), storage.prefix());
    }
}
