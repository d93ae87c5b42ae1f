package jobs.diff;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import jobs.filter.ObjectSelector;
import jobs.filter.Selection;
import jobs.kube.Cluster;
import jobs.kube.ClusterAccessException;
import jobs.kube.ResourceType;
import jobs.restore.NamespaceMapper;
import jobs.support.Json;

/**
 * The objects a cluster holds now, of the types a restore point holds (at its versions) and picked by its selection.
 * With a namespace mapping (the cluster got the restore point under one), an object's namespace is mapped back to its
 * source namespace for the selection, and compared as it is. A type the cluster does not serve is named in a warning.
 */
public final class LiveSide implements Differ.Side {

    private static final int PAGE = 500;

    private final Cluster cluster;
    private final List<ResourceType> types;
    private final List<Selection> selections;
    private final UnaryOperator<String> toSource;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param types      the restore point's types
     * @param selections what an object must be picked by, every one of them: the restore point's own, the diff's flags
     * @param toSource   the source namespace of a target namespace (itself when unmapped), null for a namespace whose
     *                   objects were restored elsewhere (a mapped source that is no target): its objects are left out
     */
    public LiveSide(Cluster cluster, List<ResourceType> types, List<Selection> selections, UnaryOperator<String> toSource) {
        this.cluster = cluster;
        this.types = types;
        this.selections = List.copyOf(selections);
        this.toSource = toSource;
    }

    @Override
    public String describe() {
        return "live cluster " + cluster.server();
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void forEach(BiConsumer<ObjectKey, ObjectNode> each) {
        List<ObjectSelector> selectors = selections.stream().map(s -> new ObjectSelector(s, types)).toList();
        // The first selection's labels go to the server; every selection is checked here.
        String labels = selections.get(0).labelSelector().toString();
        List<ResourceType> read = types;
        for (Selection selection : selections) {
            read = Sides.types(read, selection);
        }
        for (ResourceType type : read) {
            try {
                String token = null;
                do {
                    token = cluster.list(type, null, type.namespaced() ? labels : "", PAGE, token, listed -> {
                        ObjectNode object = parse(listed.json());
                        // Selected as it was backed up: its namespace (or a Namespace's name) mapped back to the source.
                        String own = type.namespaced() ? object.path("metadata").path("namespace").asText()
                                : type.qualifiedName().equals("namespaces") ? object.path("metadata").path("name").asText() : null;
                        if (own != null && toSource.apply(own) == null) {
                            return; // a source namespace of the mapping: what was restored is elsewhere
                        }
                        ObjectNode asBackedUp = object.deepCopy();
                        NamespaceMapper.map(type, asBackedUp, ns -> {
                            String source = toSource.apply(ns);
                            return source == null ? ns : source;
                        });
                        if (selectors.stream().allMatch(selector -> Sides.selects(selector, type, asBackedUp))) {
                            each.accept(Sides.key(type, object), object);
                        }
                    });
                } while (token != null);
            } catch (ClusterAccessException e) {
                warnings.add(type.qualifiedName() + " not compared: " + e.getMessage());
            }
        }
    }

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
