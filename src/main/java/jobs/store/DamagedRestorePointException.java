package jobs.store;

/** A blob of a restore point is missing or does not match the SHA-256 its manifest records. */
public class DamagedRestorePointException extends RuntimeException {

    private final String blob;

    public DamagedRestorePointException(String restorePoint, String blob, String problem) {
        super("restore point '" + restorePoint + "' is damaged: blob " + RestorePoints.folder(restorePoint) + blob + " " + problem);
        this.blob = blob;
    }

    public String blob() {
        return blob;
    }
}
