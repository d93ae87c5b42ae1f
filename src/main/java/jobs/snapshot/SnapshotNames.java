package jobs.snapshot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic names of what kbackup makes (snapshots, disks, copied volumes): the same run and volume always give
 * the same name, within each API's limits.
 */
public final class SnapshotNames {

    private SnapshotNames() {
    }

    public static String of(String backup, String volume, int maxLength) {
        String name = ("kbackup-" + backup + "-" + volume).toLowerCase().replaceAll("[^a-z0-9.-]", "-");
        if (name.length() <= maxLength) {
            return name;
        }
        String hash = hash(name).substring(0, 10);
        return name.substring(0, maxLength - hash.length() - 1).replaceAll("[-.]+$", "") + "-" + hash;
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
