package io.jrump.netinet.tcp.vtw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VtwPool} and its {@link VtwLineHash} against a plain model (an insertion-ordered map):
 * whatever the sequence of inserts, deletes, restarts and lookups, the pool finds exactly the live
 * four-tuples, its oldest entry is the model's oldest, a full pool gives up exactly its oldest entry,
 * and the port chains hold exactly the live entries of each port. Tuples come from a small space so
 * that keys share lines and overflow, and many entries share a local port.
 */
class VtwPoolModelTest {
    /** The MSL class a pool is made for; the pool keeps it and never looks at it. */
    private static final int CLASS = 2;

    /** Drives one pool of {@code capacity} with operations chosen by {@code next}. */
    private static void walk(int capacity, int steps, java.util.function.IntUnaryOperator next) {
        VtwPool pool = new VtwPool(CLASS, capacity, next.applyAsInt(Integer.MAX_VALUE), 0);
        Map<Long, Integer> model = new LinkedHashMap<>();
        for (int step = 0; step < steps; step++) {
            int op = next.applyAsInt(10);
            int laddr = 0x0a000001 + next.applyAsInt(2);
            int faddr = 0x0a000100 + next.applyAsInt(3);
            int lport = 80 + next.applyAsInt(3);
            int fport = 40000 + next.applyAsInt(capacity * 2);
            long t = tuple(laddr, lport, faddr, fport);
            int found = pool.find(laddr, lport, faddr, fport);
            Integer want = model.get(t);
            assertEquals(want == null ? -1 : want, found, "lookup at step " + step);
            if (op < 6 && want == null) {
                if (pool.full()) {
                    Iterator<Map.Entry<Long, Integer>> it = model.entrySet().iterator();
                    int oldest = it.next().getValue();
                    assertEquals(oldest, pool.oldest(), "the oldest entry goes first");
                    pool.delete(oldest);
                    it.remove();
                }
                model.put(t, pool.add(laddr, lport, faddr, fport, 1_000_000_000L, 100, 0));
            } else if (op < 9 && want != null) {
                pool.delete(want);
                model.remove(t);
            } else if (want != null) {
                // a restart: out and in again at the young end
                pool.delete(want);
                model.remove(t);
                if (pool.full()) {
                    Iterator<Map.Entry<Long, Integer>> it = model.entrySet().iterator();
                    pool.delete(it.next().getValue());
                    it.remove();
                }
                model.put(t, pool.add(laddr, lport, faddr, fport, 1_000_000_000L, 100, 0));
            }
            assertEquals(model.size(), pool.inUse());
            if (!model.isEmpty()) {
                assertEquals(model.values().iterator().next(), pool.oldest());
            }
            if (step % 128 == 0) {
                checkPorts(pool, model);
            }
        }
        checkPorts(pool, model);
        for (int idx : new ArrayList<>(model.values())) {
            pool.delete(idx);
        }
        assertEquals(0, pool.inUse());
    }

    private static long tuple(int laddr, int lport, int faddr, int fport) {
        return (long) (laddr & 0xff) << 48 | (long) lport << 32 | (long) (faddr & 0xfff) << 16 | fport;
    }

    private static void checkPorts(VtwPool pool, Map<Long, Integer> model) {
        for (int lport = 80; lport < 83; lport++) {
            List<Integer> chain = new ArrayList<>();
            for (int i = pool.nextOnPort(lport, -1); i >= 0; i = pool.nextOnPort(lport, i)) {
                chain.add(i);
            }
            int p = lport;
            List<Integer> want = model.entrySet().stream().filter(e -> (e.getKey() >>> 32 & 0xffff) == p)
                    .map(Map.Entry::getValue).sorted().toList();
            assertEquals(want, chain.stream().sorted().toList(), "entries on port " + lport);
        }
    }

    @Test
    void seededWalksAgreeWithTheModel() {
        for (int capacity : new int[] {16, 64, 256}) {
            SplittableRandom r = new SplittableRandom(capacity);
            walk(capacity, 10_000, r::nextInt);
        }
    }

    @Test
    void aTableOfOneTupleRepeatedlyRestartedStaysConsistent() {
        VtwPool pool = new VtwPool(CLASS, 16, 7, 0);
        int idx = pool.add(1, 80, 2, 5000, 0, 0, 0);
        for (int i = 0; i < 1000; i++) {
            assertEquals(idx, pool.find(1, 80, 2, 5000));
            pool.delete(idx);
            idx = pool.add(1, 80, 2, 5000, 0, 0, 0);
        }
        assertEquals(1, pool.inUse());
        assertTrue(pool.nextOnPort(80, -1) == idx && pool.nextOnPort(80, idx) == -1);
    }

    @FuzzTest(maxDuration = "10s")
    void fuzzedWalksAgreeWithTheModel(FuzzedDataProvider data) {
        int capacity = 16 << data.consumeInt(0, 2);
        walk(capacity, 2000, bound -> data.remainingBytes() == 0 ? 0 : data.consumeInt(0, bound - 1));
    }
}
