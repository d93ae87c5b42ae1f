package jobs.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened on the doubles, in one order: execs starting and ending, objects created. Tests read it to check
 * sequences such as pre hook, then snapshot, then post hook.
 */
public final class Events {

    /** One event: its place in the sequence, when (System.nanoTime), and what. */
    public record Event(int sequence, long nanos, String what) {
    }

    private final List<Event> events = new ArrayList<>();

    public synchronized void add(String what) {
        events.add(new Event(events.size(), System.nanoTime(), what));
    }

    public synchronized List<Event> all() {
        return List.copyOf(events);
    }

    /** The events whose text contains {@code text}, in order. */
    public synchronized List<Event> matching(String text) {
        return events.stream().filter(e -> e.what().contains(text)).toList();
    }
}
