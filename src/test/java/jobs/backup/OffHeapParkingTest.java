package jobs.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jobs.kube.ListedObject;
import jobs.kube.ObjectKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OffHeapParkingTest {

    private static ListedObject object(String name, int size) {
        byte[] json = new byte[size];
        new Random(size).nextBytes(json);
        return new ListedObject(new ObjectMetaBuilder().withName(name).withNamespace("ns").build(), "pv-" + name, json);
    }

    @ParameterizedTest(name = "{0} bytes: off the heap {1}")
    @CsvSource({"1, false", "65535, false", "65536, true", "1048576, true", "1400000, true"})
    void bigObjectsWaitOffTheHeapAndComeBackWhole(int size, boolean offHeap) {
        OffHeapParking parking = new OffHeapParking(8L << 20);
        ListedObject object = object("a", size);

        OffHeapParking.Parked parked = parking.park(object);

        assertThat(parked.json() == null).isEqualTo(offHeap);
        assertThat(parked.length()).isEqualTo(size);
        assertThat(parked.listKey()).isEqualTo(ObjectKeys.listKey(object.metadata()));
        ListedObject back = parking.unpark(parked);
        assertThat(back.json()).isEqualTo(object.json());
        assertThat(back.metadata()).isEqualTo(object.metadata());
        assertThat(back.volumeName()).isEqualTo("pv-a");
    }

    @Test
    void buffersAreReusedSoDirectMemoryFollowsWhatWaitsNotWhatPassed() {
        OffHeapParking parking = new OffHeapParking(8L << 20);
        List<OffHeapParking.Parked> waiting = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            waiting.add(parking.park(object("s" + i, 1_000_000 + i)));
            if (waiting.size() > 3) {
                assertThat(parking.unpark(waiting.remove(0)).json()).hasSize(1_000_000 + i - 3);
            }
        }
        // 200 MB passed through; at most four 1 MB objects ever waited at once, in 1 MB buffers.
        assertThat(parking.allocatedBytes()).isEqualTo(4L << 20);
    }

    @Test
    void theIdlePoolIsBounded() {
        OffHeapParking parking = new OffHeapParking(2L << 20);
        List<OffHeapParking.Parked> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(parking.park(object("s" + i, 1_000_000)));
        }
        waiting.forEach(parking::unpark);
        waiting.clear();
        for (int i = 0; i < 5; i++) {
            waiting.add(parking.park(object("t" + i, 1_000_000)));
        }
        // Two buffers were kept idle and are reused; the other three went to the collector, so three more are made.
        assertThat(parking.allocatedBytes()).isEqualTo(8L << 20);
        assertThat(OffHeapParking.capacityFor(65_536)).isEqualTo(65_536);
        assertThat(OffHeapParking.capacityFor(65_537)).isEqualTo(131_072);
    }
}
