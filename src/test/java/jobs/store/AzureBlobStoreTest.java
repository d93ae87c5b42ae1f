package jobs.store;

import com.azure.storage.blob.BlobServiceClientBuilder;
import java.util.UUID;
import jobs.testing.Azurite;
import org.junit.jupiter.api.BeforeEach;

class AzureBlobStoreTest extends BlobStoreContract {

    private BlobStore store;

    @BeforeEach
    void container() {
        String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        store = new AzureBlobStore(new BlobServiceClientBuilder().connectionString(Azurite.shared().connectionString())
                .buildClient().getBlobContainerClient(name), "team/prod");
    }

    @Override
    BlobStore store() {
        return store;
    }
}
