package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.sched.KThread;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@RumpKernel
class MbufPoolTest {

    @Test
    void sixtyFourKilobytesTakeJumboClustersAndSmallDataDoesNot(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] b = new byte[65536];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31);
        }
        Mbuf big = MbufCopy.fromBytes(pool, b, 0, b.length);
        int n = 0;
        for (Mbuf x = big; x != null; x = x.next()) {
            n++;
        }
        assertTrue(n <= 6, "64 KB in " + n + " mbufs");
        assertEquals(Mbuf.MJUMBYTES, big.capacity());
        assertArrayEquals(b, MbufCopy.toBytes(big));
        Mbuf small = MbufCopy.fromBytes(pool, b, 0, 3000);
        for (Mbuf x = small; x != null; x = x.next()) {
            assertTrue(x.capacity() <= Mbuf.MCLBYTES, "a 3000-byte packet charges no jumbo to a socket buffer");
        }
        pool.freeChain(big);
        pool.freeChain(small);
        assertEquals(0, pool.stats().clustersInUse());
    }

    @Test
    void freshMbufsHaveTheDocumentedShape(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf s = pool.get();
        assertEquals(0, s.len());
        assertEquals(0, s.leadingSpace());
        assertEquals(Mbuf.MLEN, s.trailingSpace());
        assertFalse(s.isPktHdr());
        assertFalse(s.isExt());

        Mbuf h = pool.getPacketHeader(MbufType.HEADER);
        assertTrue(h.isPktHdr());
        assertEquals(MbufPool.MAX_HDR, h.leadingSpace());
        assertEquals(Mbuf.MLEN - MbufPool.MAX_HDR, h.trailingSpace());

        Mbuf c = pool.getCluster();
        assertTrue(c.isExt());
        assertTrue(c.hasFlags(MbufFlags.M_EXT));
        assertEquals(Mbuf.MCLBYTES, c.trailingSpace());

        Mbuf pc = pool.getPacketCluster();
        assertTrue(pc.isPktHdr());
        assertEquals(MbufPool.MAX_HDR, pc.leadingSpace());
        assertTrue(pc.trailingSpace() >= 1514, "a whole Ethernet frame fits behind the header room");

        MbufStats st = pool.stats();
        assertEquals(4, st.mbufsInUse());
        assertEquals(3, st.inUse(MbufType.DATA));
        assertEquals(1, st.inUse(MbufType.HEADER));
        assertEquals(2, st.clustersInUse());
        List<String> netstat = st.netstatLines();
        assertEquals("4 mbufs in use:", netstat.get(0));
        assertTrue(netstat.contains("\t3 mbufs allocated to data"), netstat.toString());
        assertTrue(netstat.contains("\t1 mbufs allocated to packet headers"), netstat.toString());
        assertTrue(netstat.contains("0 requests for memory denied"), netstat.toString());

        for (Mbuf m : List.of(s, h, c, pc)) {
            assertNull(pool.free(m));
        }
        assertEquals(0, st.mbufsInUse());
        assertEquals(0, st.clustersInUse());
        assertEquals(4, st.peakMbufs());
        assertEquals(2, st.peakClusters());
    }

    @Test
    void freeingTwiceIsCaught(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = pool.get();
        pool.free(m);
        assertThrows(IllegalStateException.class, () -> pool.free(m));
        assertThrows(IllegalArgumentException.class, () -> m.setFlags(MbufFlags.M_PKTHDR));
    }

    @Test
    void aThrowingFreeCallbackIsCountedAndTheStorageStillReturned(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf e = pool.getExternal(new byte[10], 0, 10, (b, o, l, a) -> {
            throw new IllegalStateException("boom");
        }, null);
        pool.free(e);
        assertEquals(1, pool.stats().extFreeErrors());
        assertEquals(0, pool.stats().externalInUse());
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    @RumpKernel(memoryLimit = "64k")
    void aTinyKernelMemoryLimitMakesAllocationReturnNull(Kernel k) {
        MbufPool pool = new MbufPool(k);
        List<Mbuf> held = new ArrayList<>();
        Mbuf m;
        while ((m = pool.getPacketCluster()) != null) {
            held.add(m);
            assertTrue(held.size() < 64, "64k cannot hold this many clusters");
        }
        assertFalse(held.isEmpty());
        assertTrue(pool.stats().failures() >= 1);
        assertTrue(pool.stats().clusterFailures() + pool.stats().mbufFailures() >= 1);
        while ((m = pool.get()) != null) {
            held.add(m);
        }
        assertTrue(pool.stats().mbufFailures() >= 1);
        assertNull(MbufCopy.fromBytes(pool, new byte[5000], 0, 5000), "ENOBUFS, not OutOfMemoryError");
        assertTrue(pool.stats().netstatLines().contains(pool.stats().failures() + " requests for memory denied"));

        for (Mbuf x : held) {
            pool.freeChain(x);
        }
        Mbuf again = pool.getPacketCluster();
        assertNotNull(again, "freed memory is usable again");
        pool.free(again);
    }

    @Test
    void aClusterLimitMakesAllocationReturnNull(Kernel k) {
        MbufPool pool = new MbufPool(k, 100, 2);
        Mbuf a = pool.getCluster();
        Mbuf b = pool.getCluster();
        assertNull(pool.getCluster());
        assertEquals(1, pool.stats().clusterFailures());
        assertEquals(2, pool.stats().mbufsInUse(), "the mbuf taken for the missing cluster went back");
        Mbuf small = TestChains.numbered(pool, 100);
        assertNull(MbufChain.prepend(small, 1000), "prepend frees the chain when it cannot allocate");
        assertEquals(2, pool.stats().mbufsInUse());
        pool.free(a);
        pool.free(b);
    }

    @Test
    void slicesShareJumboClustersAndEachWritesOnlyItsOwnRoom(Kernel k) {
        MbufPool pool = new MbufPool(k);
        int size = 1480;
        int room = 80;
        Mbuf top = pool.getSlices(42, MbufPool.MAX_HDR, room, size);
        assertNotNull(top);
        int n = 0;
        for (Mbuf m = top; m != null; m = m.next(), n++) {
            assertTrue(m.isPktHdr());
            assertEquals(n == 0 ? MbufPool.MAX_HDR : room, m.leadingSpace(), "slice " + n);
            assertEquals(size, m.trailingSpace(), "slice " + n);
            byte[] data = TestChains.sequence(n, size);
            System.arraycopy(data, 0, m.buf(), m.off(), size);
            m.setLen(size);
        }
        assertEquals(42, n);
        assertEquals(5, pool.stats().clustersInUse(), "42 slices of 1560 bytes in 16 KB jumbo clusters");
        long mbufs = pool.stats().mbufsInUse();
        Mbuf second = top.next();
        top.setNext(null);
        Mbuf h = MbufChain.prepend(second, 34);
        assertEquals(second, h, "the header went into the slice's own room");
        assertEquals(mbufs, pool.stats().mbufsInUse());
        java.util.Arrays.fill(h.buf(), h.off(), h.off() + 34, (byte) 0x45);
        assertArrayEquals(TestChains.sequence(0, size), slice(top, 0), "the slice before is untouched");
        assertArrayEquals(TestChains.sequence(1, size), slice(h, 34));
        int i = 2;
        for (Mbuf m = h.next(); m != null; m = m.next(), i++) {
            assertArrayEquals(TestChains.sequence(i, size), slice(m, 0), "slice " + i);
        }
        pool.freeChain(top);
        pool.freeChain(h);
        assertEquals(0, pool.stats().clustersInUse());
    }

    @Test
    void aSliceSharedWithACopyIsReadOnly(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf top = pool.getSlices(2, MbufPool.MAX_HDR, 80, 1000);
        Mbuf second = top.next();
        second.setLen(1000);
        Mbuf copy = MbufCopy.copym(second, 0, 1000);
        assertFalse(second.writable(), "a copy reads the slice's bytes");
        assertEquals(0, second.leadingSpace());
        assertTrue(top.writable(), "the other slice is still its own");
        pool.freeChain(top);
        pool.freeChain(copy);
        assertEquals(0, pool.stats().clustersInUse());
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void slicesThatCannotAllBeHadAreNoneAndLeakNothing(Kernel k) {
        MbufPool pool = new MbufPool(k, 3, 100);
        assertNull(pool.getSlices(10, MbufPool.MAX_HDR, 80, 1480));
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
        assertNull(pool.getSlices(1, MbufPool.MAX_HDR, 80, Mbuf.MJUMBYTES), "a slice larger than a jumbo");
    }

    @Test
    void steadyStateTrafficDoesNotGrowThePools(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] payload = TestChains.sequence(0, 1400);
        runPackets(pool, payload, 1_000);
        long mbufs = pool.mbufsAllocated();
        long clusters = pool.clustersAllocated();

        runPackets(pool, payload, 100_000);

        assertEquals(mbufs, pool.mbufsAllocated());
        assertEquals(clusters, pool.clustersAllocated());
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().failures());
    }

    @Test
    void steadyStateOnAKernelCpuDoesNotGrowThePools(Kernel k) throws InterruptedException {
        MbufPool pool = new MbufPool(k);
        byte[] payload = TestChains.sequence(0, 1400);
        AtomicReference<long[]> seen = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        KThread t = k.createKThread("mbuftest", () -> {
            try {
                runPackets(pool, payload, 1_000);
                long m0 = pool.mbufsAllocated();
                long c0 = pool.clustersAllocated();
                runPackets(pool, payload, 100_000);
                seen.set(new long[] {m0, pool.mbufsAllocated(), c0, pool.clustersAllocated()});
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertTrue(t.join(TimeUnit.SECONDS.toNanos(60)));
        assertNull(failure.get());
        long[] s = seen.get();
        assertEquals(s[0], s[1]);
        assertEquals(s[2], s[3]);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    /** A TCP-like send: payload into a cluster, headers prepended, a copy kept for retransmission. */
    private static byte[] slice(Mbuf m, int skip) {
        return java.util.Arrays.copyOfRange(m.buf(), m.off() + skip, m.off() + m.len());
    }

    private static void runPackets(MbufPool pool, byte[] payload, int n) {
        AtomicInteger freed = new AtomicInteger();
        ExtFree onFree = (b, o, l, a) -> freed.incrementAndGet();
        for (int i = 0; i < n; i++) {
            Mbuf m = pool.getPacketCluster();
            if (!MbufCopy.append(m, payload, 0, payload.length)) {
                throw new AssertionError("append failed");
            }
            Mbuf rexmt = MbufCopy.copym(m, 0, Mbuf.COPYALL);
            m = MbufChain.prepend(m, 20);
            m = MbufChain.prepend(m, 20);
            m = MbufChain.prepend(m, 14);
            Mbuf ack = pool.getExternal(payload, 0, 64, onFree, null);
            ack = MbufChain.prepend(ack, 54);
            pool.freeChain(m);
            pool.freeChain(rexmt);
            pool.freeChain(ack);
        }
        if (freed.get() != n) {
            throw new AssertionError("free callbacks: " + freed.get() + " of " + n);
        }
    }
}
