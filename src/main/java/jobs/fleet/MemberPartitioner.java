package jobs.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/** One partition per member, named after it ({@code member:<name>}), so that a relaunch finds each member's by name. */
class MemberPartitioner implements Partitioner {

    static final String MEMBER = "member";

    private final List<String> members;

    MemberPartitioner(List<String> members) {
        this.members = List.copyOf(members);
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (String member : members) {
            ExecutionContext context = new ExecutionContext();
            context.putString(MEMBER, member);
            partitions.put(member, context);
        }
        return partitions;
    }
}
