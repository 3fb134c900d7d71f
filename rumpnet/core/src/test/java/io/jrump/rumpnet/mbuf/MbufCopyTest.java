package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@RumpKernel
class MbufCopyTest {

    @Test
    void copydataAtEveryOffsetMatchesTheModel(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Random rnd = new Random(42);
        AtomicInteger extFrees = new AtomicInteger();
        for (int round = 0; round < 8; round++) {
            byte[] model = TestChains.randomBytes(rnd, 1 + rnd.nextInt(5000));
            Mbuf m = TestChains.randomChain(pool, rnd, model, extFrees);
            assertEquals(model.length, MbufChain.length(m));
            for (int off = 0; off <= model.length; off++) {
                int len = rnd.nextInt(model.length - off + 1);
                byte[] got = new byte[len + 2];
                MbufCopy.copydata(m, off, len, got, 1);
                assertArrayEquals(Arrays.copyOfRange(model, off, off + len), Arrays.copyOfRange(got, 1, len + 1),
                        "copydata at " + off + " len " + len);
            }
            assertThrows(IndexOutOfBoundsException.class,
                    () -> MbufCopy.copydata(m, model.length, 1, new byte[1], 0));
            pool.freeChain(m);
        }
        assertEquals(0, pool.stats().mbufsInUse());
    }

    /**
     * A frame crossing an in-memory wire: a random chain of one pool copied into another pool's mbufs holds
     * the same bytes, laid out as fromBytes lays them out, and takes nothing from the source pool.
     */
    @Test
    void copyPacketCopiesAChainIntoAnotherPool(Kernel k) {
        MbufPool from = new MbufPool(k);
        MbufPool to = new MbufPool(k);
        Random rnd = new Random(7);
        AtomicInteger extFrees = new AtomicInteger();
        for (int len : new int[] {1, 100, 2048, 16383, 16384, 40000, 65535}) {
            byte[] model = TestChains.randomBytes(rnd, len + rnd.nextInt(10));
            Mbuf src = TestChains.randomChain(from, rnd, model, extFrees);
            long inUse = from.stats().mbufsInUse();
            Mbuf copy = MbufCopy.copyPacket(to, src, len);
            assertEquals(len, copy.pkthdr().len());
            assertArrayEquals(Arrays.copyOf(model, len), MbufCopy.toBytes(copy), "copy of " + len + " bytes");
            Mbuf flat = MbufCopy.fromBytes(to, model, 0, len);
            assertEquals(TestChains.count(flat), TestChains.count(copy), "the same layout as fromBytes");
            to.freeChain(flat);
            assertEquals(inUse, from.stats().mbufsInUse(), "the source pool lent nothing");
            byte[] before = MbufCopy.toBytes(src);
            assertArrayEquals(model, before, "the source chain is unchanged");
            assertThrows(IndexOutOfBoundsException.class, () -> MbufCopy.copyPacket(to, src, model.length + 1));
            from.freeChain(src);
            to.freeChain(copy);
        }
    }

    /**
     * A frame lent across an in-memory wire holds the sender's bytes, survives the sender freeing its chain,
     * and gives every cluster back to the sender's pool, not the receiver's, when the receiver frees it.
     */
    @Test
    void lendPacketReturnsTheSendersClustersToTheSendersPool(Kernel k) {
        MbufPool from = new MbufPool(k);
        MbufPool to = new MbufPool(k);
        Random rnd = new Random(11);
        AtomicInteger extFrees = new AtomicInteger();
        for (int len : new int[] {1, 100, 128, 129, 1500, 2048, 16384, 40000, 65535}) {
            byte[] model = TestChains.randomBytes(rnd, len + rnd.nextInt(10));
            Mbuf src = TestChains.randomChain(from, rnd, model, extFrees);
            Mbuf lent = MbufCopy.lendPacket(to, src, len);
            assertEquals(len, lent.pkthdr().len());
            assertTrue(lent.writable(), "the headers are the receiver's own");
            assertThrows(IndexOutOfBoundsException.class, () -> MbufCopy.lendPacket(to, src, model.length + 1));
            from.freeChain(src);
            assertArrayEquals(Arrays.copyOf(model, len), MbufCopy.toBytes(lent), "lent " + len + " bytes");
            to.freeChain(lent);
            assertEquals(0, from.stats().clustersInUse(), "every cluster is back in the sender's pool");
            assertEquals(0, from.stats().mbufsInUse());
            assertEquals(0, to.stats().clustersInUse(), "the receiver's pool never owned one");
            assertEquals(0, to.stats().mbufsInUse());
        }
        assertEquals(0, from.stats().externalInUse(), "caller-owned storage is copied, never lent");
    }

    /** Lent clusters are read-only on both sides: a receiver's write copies, and the sender stops appending. */
    @Test
    void lentClustersAreReadOnlyForSenderAndReceiver(Kernel k) {
        MbufPool from = new MbufPool(k);
        MbufPool to = new MbufPool(k);
        byte[] payload = TestChains.sequence(1, 1500);
        Mbuf hdr = from.getPacketHeader();
        hdr.setLen(54);
        Mbuf data = from.getCluster();
        System.arraycopy(payload, 0, data.buf(), data.off(), payload.length);
        data.setLen(payload.length);
        hdr.setNext(data);
        hdr.pkthdr().setLen(54 + payload.length);
        assertTrue(data.trailingSpace() > 0);

        Mbuf lent = MbufCopy.lendPacket(to, hdr, 54 + payload.length);
        assertEquals(0, data.trailingSpace(), "shared with the receiver, the sender's cluster takes no appends");
        assertEquals(2, TestChains.count(lent), "the headers, and a reference to the rest of the cluster");
        assertEquals(0, to.stats().clustersInUse(), "the payload was lent, not copied into new clusters");
        assertTrue(MbufCopy.copyback(lent, 200, 3, new byte[] {9, 9, 9}, 0));
        assertEquals(payload[200 - 54], data.buf()[data.off() + 200 - 54], "the receiver wrote its own copy");

        to.freeChain(lent);
        assertTrue(data.trailingSpace() > 0, "the last reference back with the sender, it may append again");
        from.freeChain(hdr);
        assertEquals(0, from.stats().clustersInUse());
    }

    @Test
    void copybackAtEveryOffsetMatchesTheModel(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Random rnd = new Random(43);
        AtomicInteger extFrees = new AtomicInteger();
        for (int round = 0; round < 4; round++) {
            byte[] model = TestChains.randomBytes(rnd, 1 + rnd.nextInt(4000));
            Mbuf m = TestChains.randomChain(pool, rnd, model, extFrees);
            for (int off = 0; off <= model.length; off++) {
                int len = rnd.nextInt(Math.min(300, model.length - off) + 1);
                byte[] src = TestChains.randomBytes(rnd, len);
                assertTrue(MbufCopy.copyback(m, off, len, src, 0));
                System.arraycopy(src, 0, model, off, len);
                byte[] back = new byte[len];
                MbufCopy.copydata(m, off, len, back, 0);
                assertArrayEquals(src, back, "copyback at " + off);
            }
            assertArrayEquals(model, MbufCopy.toBytes(m));
            assertEquals(model.length, m.pkthdr().len());
            pool.freeChain(m);
        }
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
        assertEquals(0, pool.stats().externalInUse());
    }

    @Test
    void copybackExtendsTheChainWithZeros(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = TestChains.numbered(pool, 10);
        m.buf()[m.off() + 10] = 77;
        byte[] src = TestChains.sequence(50, 3000);

        assertTrue(MbufCopy.copyback(m, 20, src.length, src, 0));

        byte[] want = new byte[3020];
        System.arraycopy(TestChains.sequence(0, 10), 0, want, 0, 10);
        System.arraycopy(src, 0, want, 20, src.length);
        assertArrayEquals(want, MbufCopy.toBytes(m), "the gap reads as zeros, not stale bytes");
        assertEquals(3020, m.pkthdr().len());
        pool.freeChain(m);
    }

    @Test
    void copymSharesExternalStorageAndFreesItOnceAfterBothChains(Kernel k) {
        MbufPool pool = new MbufPool(k);
        AtomicInteger freed = new AtomicInteger();
        Object[] seenArg = new Object[1];
        byte[] own = TestChains.sequence(0, 1000);
        ExtFree onFree = (b, o, l, a) -> {
            assertSame(own, b);
            assertEquals(100, o);
            assertEquals(800, l);
            seenArg[0] = a;
            freed.incrementAndGet();
        };
        Mbuf m = pool.getPacketHeader();
        m.setLen(20);
        Mbuf e = pool.getExternal(own, 100, 800, onFree, "chunk-7");
        m.setNext(e);
        m.pkthdr().setLen(820);
        m.pkthdr().setRcvif(2);

        Mbuf c = MbufCopy.copym(m, 0, Mbuf.COPYALL);

        assertTrue(c.isPktHdr());
        assertEquals(820, c.pkthdr().len());
        assertEquals(2, c.pkthdr().rcvif());
        assertArrayEquals(MbufCopy.toBytes(m), MbufCopy.toBytes(c));
        assertSame(own, c.next().buf(), "the copy points at the caller's bytes");
        assertEquals(0, pool.stats().clustersInUse());
        assertEquals(1, pool.stats().externalInUse());

        Mbuf part = MbufCopy.copym(m, 30, 500);
        assertFalse(part.isPktHdr());
        assertArrayEquals(Arrays.copyOfRange(MbufCopy.toBytes(m), 30, 530), MbufCopy.toBytes(part));

        pool.freeChain(m);
        assertEquals(0, freed.get());
        pool.freeChain(part);
        assertEquals(0, freed.get());
        pool.freeChain(c);
        assertEquals(1, freed.get());
        assertEquals("chunk-7", seenArg[0]);
        assertEquals(0, pool.stats().externalInUse());
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void copymSharesClustersAndWritingTakesAPrivateCopy(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] data = TestChains.sequence(0, 1800);
        Mbuf m = MbufCopy.fromBytes(pool, data, 0, data.length);
        assertTrue(m.isExt());
        assertTrue(m.writable());

        Mbuf c = MbufCopy.copym(m, 0, Mbuf.COPYALL);
        assertSame(m.buf(), c.buf());
        assertEquals(1, pool.stats().clustersInUse());
        assertFalse(m.writable());
        assertFalse(c.writable());

        byte[] patch = {9, 9, 9};
        assertTrue(MbufCopy.copyback(c, 1000, 3, patch, 0));

        assertArrayEquals(data, MbufCopy.toBytes(m), "the original keeps its bytes");
        byte[] want = data.clone();
        System.arraycopy(patch, 0, want, 1000, 3);
        assertArrayEquals(want, MbufCopy.toBytes(c));
        assertEquals(2, pool.stats().clustersInUse());
        assertTrue(m.writable(), "the original is the cluster's only user again");
        pool.freeChain(m);
        pool.freeChain(c);
        assertEquals(0, pool.stats().clustersInUse());
    }

    @Test
    void makeWritableCopiesLargeExternalStorageClusterByCluster(Kernel k) {
        MbufPool pool = new MbufPool(k);
        AtomicInteger freed = new AtomicInteger();
        byte[] own = TestChains.sequence(3, 5000);
        Mbuf e = pool.getExternal(own, 0, own.length, (b, o, l, a) -> freed.incrementAndGet(), null);

        assertTrue(MbufCopy.makeWritable(e, 0, 5000));

        assertArrayEquals(own, MbufCopy.toBytes(e));
        for (Mbuf x = e; x != null; x = x.next()) {
            assertTrue(x.writable());
        }
        assertEquals(3, TestChains.count(e));
        assertEquals(1, freed.get());
        assertArrayEquals(TestChains.sequence(3, 5000), own, "the caller's bytes were never written");
        pool.freeChain(e);
    }

    @Test
    void appendFillsTrailingSpaceThenNewMbufs(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = pool.getPacketHeader();
        byte[] data = TestChains.sequence(0, 5000);
        assertTrue(MbufCopy.append(m, data, 0, 100));
        assertEquals(1, TestChains.count(m));
        assertTrue(MbufCopy.append(m, data, 100, 4900));
        assertArrayEquals(data, MbufCopy.toBytes(m));
        assertEquals(5000, m.pkthdr().len());
        pool.freeChain(m);
    }

    /**
     * A driver's receive area (a direct buffer) goes into mbufs laid out as from an array, read at absolute
     * indexes: the buffer's position, which the driver may use for something else, is left alone.
     */
    @Test
    void fromBufferCopiesAbsoluteIndexesAsFromBytesLaysThemOut(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Random rnd = new Random(5);
        byte[] b = TestChains.randomBytes(rnd, 70_000);
        ByteBuffer area = ByteBuffer.allocateDirect(b.length).put(b);
        area.position(3);
        ByteBuffer ro = area.asReadOnlyBuffer();
        for (int n : new int[] {0, 1, 128, 1514, 1921, 65_535}) {
            Mbuf m = MbufCopy.fromBuffer(pool, ro, 12, n);
            Mbuf model = MbufCopy.fromBytes(pool, b, 12, n);
            assertArrayEquals(Arrays.copyOfRange(b, 12, 12 + n), MbufCopy.toBytes(m));
            assertEquals(TestChains.count(model), TestChains.count(m), "the layout of fromBytes");
            assertEquals(MbufPool.MAX_HDR, m.leadingSpace());
            pool.freeChain(m);
            pool.freeChain(model);
        }
        assertEquals(3, ro.position());
        assertThrows(IndexOutOfBoundsException.class, () -> MbufCopy.fromBuffer(pool, ro, 69_000, 1001));
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void fromBytesAndToBytesRoundTrip(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Random rnd = new Random(3);
        for (int n : new int[] {0, 1, 127, 128, 129, 1514, 1920, 1921, 9000}) {
            byte[] b = TestChains.randomBytes(rnd, n);
            Mbuf m = MbufCopy.fromBytes(pool, b, 0, n);
            assertNotNull(m);
            assertEquals(MbufPool.MAX_HDR, m.leadingSpace());
            assertEquals(n, m.pkthdr().len());
            assertArrayEquals(b, MbufCopy.toBytes(m));
            if (n <= 1514) {
                assertEquals(1, TestChains.count(m), "a frame of " + n + " bytes is one buffer");
            }
            pool.freeChain(m);
        }
        assertEquals(0, pool.stats().mbufsInUse());
    }
}
