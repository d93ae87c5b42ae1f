package jobs.support;

/**
 * Input the user can fix: a bad flag value, a selector that does not parse, a resource the cluster does not know.
 * The CLI turns it into a one-line message and exit code 2, and nothing has been written when it is thrown.
 */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }
}
