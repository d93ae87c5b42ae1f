package jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every blob store must do; run against the local folder and against Azurite. */
abstract class BlobStoreContract {

    abstract BlobStore store();

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        store().put("backups/a/manifest.json", bytes("{\"x\":1}"), Map.of());
        assertThat(store().get("backups/a/manifest.json")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("{\"x\":1}")));
    }

    @Test
    void getOfAMissingBlobIsEmpty() {
        assertThat(store().get("backups/nothing/manifest.json")).isEmpty();
    }

    @Test
    void putReplacesContentAndMetadata() {
        store().put("k/blob", bytes("one"), Map.of("sha256", "1", "items", "1"));
        store().put("k/blob", bytes("second"), Map.of("sha256", "2"));
        assertThat(store().get("k/blob")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("second")));
        assertThat(store().list("k/")).singleElement().satisfies(e -> {
            assertThat(e.metadata()).isEqualTo(Map.of("sha256", "2"));
            assertThat(e.size()).isEqualTo(6);
        });
    }

    @Test
    void listReturnsBlobsUnderAPrefixInKeyOrderWithMetadata() {
        store().put("backups/b/chunks/000001.jsonl.gz", bytes("1"), Map.of("items", "1"));
        store().put("backups/b/chunks/000000.jsonl.gz", bytes("00"), Map.of("items", "2"));
        store().put("backups/b/manifest.json", bytes("{}"), Map.of());
        store().put("backups/bb/manifest.json", bytes("{}"), Map.of());
        assertThat(store().list("backups/b/chunks/")).extracting(BlobStore.BlobEntry::key)
                .containsExactly("backups/b/chunks/000000.jsonl.gz", "backups/b/chunks/000001.jsonl.gz");
        assertThat(store().list("backups/b/chunks/").get(0).metadata()).containsEntry("items", "2");
        assertThat(store().list("backups/b/")).hasSize(3);
        assertThat(store().list("nothing/")).isEmpty();
    }

    @Test
    void childrenAreTheNamesDirectlyBelowAPrefix() {
        store().put("backups/x/manifest.json", bytes("{}"), Map.of());
        store().put("backups/y/chunks/000000.jsonl.gz", bytes("{}"), Map.of());
        assertThat(store().children("backups/")).containsExactly("x", "y");
        assertThat(store().children("empty/")).isEmpty();
    }

    @Test
    void deleteIsIdempotent() {
        store().put("d/blob", bytes("x"), Map.of("a", "b"));
        assertThat(store().delete("d/blob")).isTrue();
        assertThat(store().delete("d/blob")).isFalse();
        assertThat(store().get("d/blob")).isEmpty();
        assertThat(store().list("d/")).isEmpty();
    }

    /** A purge that died half way, or a lifecycle rule, may have removed some blobs already: that is no failure. */
    @Test
    void deleteAllOfBlobsSomeAlreadyGoneDeletesTheRest() {
        for (int i = 0; i < 5; i++) {
            store().put("gone/chunks/00000" + i + ".jsonl.gz", bytes("c" + i), Map.of("items", "1"));
        }
        store().delete("gone/chunks/000001.jsonl.gz");
        store().delete("gone/chunks/000003.jsonl.gz");

        store().deleteAll(java.util.List.of("gone/chunks/000000.jsonl.gz", "gone/chunks/000001.jsonl.gz",
                "gone/chunks/000002.jsonl.gz", "gone/chunks/000003.jsonl.gz", "gone/chunks/000004.jsonl.gz",
                "gone/chunks/000009.jsonl.gz"));

        assertThat(store().list("gone/")).isEmpty();
    }
}
