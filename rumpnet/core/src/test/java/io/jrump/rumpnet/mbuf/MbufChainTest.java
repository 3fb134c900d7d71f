package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@RumpKernel
class MbufChainTest {

    @Test
    void prependUsesLeadingSpaceOfAFreshPacket(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] payload = TestChains.sequence(100, 100);
        Mbuf m = MbufCopy.fromBytes(pool, payload, 0, payload.length);
        assertEquals(MbufPool.MAX_HDR, m.leadingSpace());

        Mbuf h = MbufChain.prepend(m, 20);
        Mbuf h2 = MbufChain.prepend(h, 14);

        assertSame(m, h2);
        assertEquals(1, TestChains.count(h2));
        assertEquals(MbufPool.MAX_HDR - 34, h2.leadingSpace());
        assertEquals(134, h2.pkthdr().len());
        assertArrayEquals(payload, Arrays.copyOfRange(MbufCopy.toBytes(h2), 34, 134));
        pool.freeChain(h2);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void prependWithoutRoomAllocatesANewHeadAndMovesThePacketHeader(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = TestChains.numbered(pool, 50, 30);
        m.setFlags(MbufFlags.M_BCAST);
        m.pkthdr().setRcvif(3);

        Mbuf h = MbufChain.prepend(m, 200);

        assertNotSame(m, h);
        assertSame(m, h.next());
        assertTrue(h.isPktHdr());
        assertFalse(m.isPktHdr());
        assertTrue(h.hasFlags(MbufFlags.M_BCAST));
        assertFalse(m.hasFlags(MbufFlags.M_BCAST));
        assertEquals(3, h.pkthdr().rcvif());
        assertEquals(280, h.pkthdr().len());
        assertEquals(200, h.len());
        assertEquals(Mbuf.MLEN - 200, h.leadingSpace(), "room at the end of the new head leaves space for the next prepend");
        assertArrayEquals(TestChains.sequence(0, 80), Arrays.copyOfRange(MbufCopy.toBytes(h), 200, 280));

        Mbuf h2 = MbufChain.prepend(h, 14);
        assertSame(h, h2);
        assertEquals(294, h2.pkthdr().len());

        Mbuf big = MbufChain.prepend(h2, 1000);
        assertTrue(big.isExt(), "more than a small mbuf holds goes in a cluster");
        assertEquals(1294, big.pkthdr().len());
        assertEquals(1294, MbufChain.length(big));
        pool.freeChain(big);
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
    }

    @Test
    void prependDoesNotWriteIntoSharedStorage(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf c = pool.getPacketCluster();
        c.setLen(10);
        c.pkthdr().setLen(10);
        Mbuf copy = MbufCopy.copym(c, 0, Mbuf.COPYALL);
        assertFalse(c.writable());
        assertEquals(0, c.leadingSpace());

        Mbuf h = MbufChain.prepend(c, 14);
        assertNotSame(c, h);
        assertEquals(24, h.pkthdr().len());
        pool.freeChain(h);
        pool.freeChain(copy);
    }

    @Test
    void pullupAcrossThreeMbufsReusesAWritableHead(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = TestChains.numbered(pool, 10, 15, 20, 5);

        Mbuf p = MbufChain.pullup(m, 40);

        assertSame(m, p);
        assertTrue(p.len() >= 40);
        assertEquals(50, p.pkthdr().len());
        assertArrayEquals(TestChains.sequence(0, 50), MbufCopy.toBytes(p));
        for (int i = 0; i < 40; i++) {
            assertEquals((byte) i, p.get(i));
        }
        assertEquals(3, TestChains.count(p), "the second mbuf was emptied and freed");
        pool.freeChain(p);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void pullupAcrossThreeMbufsWithAReadOnlyHeadMakesANewHead(Kernel k) {
        MbufPool pool = new MbufPool(k);
        AtomicInteger freed = new AtomicInteger();
        byte[] own = TestChains.sequence(0, 8);
        Mbuf e = pool.getExternal(own, 0, 8, (b, o, l, a) -> freed.incrementAndGet(), null);
        Mbuf rest = TestChains.numbered(pool, 100, 100);
        for (Mbuf x = rest; x != null; x = x.next()) {
            for (int i = 0; i < x.len(); i++) {
                x.buf()[x.off() + i] += 8;
            }
        }
        rest.pkthdr().setLen(0);
        MbufChain.cat(e, rest);

        Mbuf p = MbufChain.pullup(e, 150);

        assertNotNull(p);
        assertNotSame(e, p);
        assertTrue(p.len() >= 150);
        assertArrayEquals(TestChains.sequence(0, 208), MbufCopy.toBytes(p));
        assertEquals(1, freed.get(), "the external head was consumed and given back");
        pool.freeChain(p);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void pullupBeyondTheChainFreesItAndReturnsNull(Kernel k) {
        MbufPool pool = new MbufPool(k);
        AtomicInteger freed = new AtomicInteger();
        Mbuf m = TestChains.numbered(pool, 10, 10);
        MbufChain.cat(m, pool.getExternal(new byte[30], 0, 30, (b, o, l, a) -> freed.incrementAndGet(), null));
        assertEquals(50, m.pkthdr().len());

        assertNull(MbufChain.pullup(m, 51));

        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(1, freed.get());
        Mbuf m2 = TestChains.numbered(pool, 10);
        assertNull(MbufChain.pullup(m2, Mbuf.MCLBYTES + 1));
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void adjTrimsHeadAndTailAcrossMbufBoundaries(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] model = TestChains.sequence(0, 60);
        for (int cut = -65; cut <= 65; cut++) {
            Mbuf m = TestChains.numbered(pool, 10, 20, 30);
            MbufChain.adj(m, cut);
            byte[] want = cut >= 0 ? Arrays.copyOfRange(model, Math.min(cut, 60), 60)
                    : Arrays.copyOfRange(model, 0, Math.max(0, 60 + cut));
            assertArrayEquals(want, MbufCopy.toBytes(m), "adj " + cut);
            assertEquals(want.length, m.pkthdr().len(), "adj " + cut);
            pool.freeChain(m);
        }
        Mbuf m = TestChains.numbered(pool, 10, 20, 30);
        MbufChain.adj(m, 14);
        MbufChain.adj(m, -4);
        assertArrayEquals(Arrays.copyOfRange(model, 14, 56), MbufCopy.toBytes(m));
        assertEquals(42, m.pkthdr().len());
        pool.freeChain(m);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void splitAndCatPreserveBytesAndPacketLength(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Random rnd = new Random(7);
        AtomicInteger extFrees = new AtomicInteger();
        int externals = 0;
        for (int round = 0; round < 40; round++) {
            byte[] data = TestChains.randomBytes(rnd, 1 + rnd.nextInt(6000));
            Mbuf m = TestChains.randomChain(pool, rnd, data, extFrees);
            m.pkthdr().setRcvif(5);
            for (Mbuf x = m; x != null; x = x.next()) {
                externals += x.isExt() && !x.writable() ? 1 : 0;
            }
            int at = rnd.nextInt(data.length + 1);

            Mbuf tail = MbufChain.split(m, at);

            assertNotNull(tail);
            assertArrayEquals(Arrays.copyOfRange(data, 0, at), MbufCopy.toBytes(m), "head, split at " + at);
            assertArrayEquals(Arrays.copyOfRange(data, at, data.length), MbufCopy.toBytes(tail), "tail, split at " + at);
            assertEquals(at, m.pkthdr().len());
            assertTrue(tail.isPktHdr());
            assertEquals(data.length - at, tail.pkthdr().len());
            assertEquals(5, tail.pkthdr().rcvif());

            MbufChain.cat(m, tail);

            assertArrayEquals(data, MbufCopy.toBytes(m));
            assertEquals(data.length, m.pkthdr().len());
            for (Mbuf x = m.next(); x != null; x = x.next()) {
                assertFalse(x.isPktHdr(), "only the head carries a packet header");
            }
            pool.freeChain(m);
        }
        assertEquals(externals, extFrees.get(), "every external buffer given back exactly once");
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
        assertEquals(0, pool.stats().externalInUse());
    }

    @Test
    void splitAtEveryOffsetOfASmallChain(Kernel k) {
        MbufPool pool = new MbufPool(k);
        for (int at = 0; at <= 45; at++) {
            Mbuf m = TestChains.numbered(pool, 5, 0, 25, 15);
            Mbuf t = MbufChain.split(m, at);
            assertArrayEquals(TestChains.sequence(0, at), MbufCopy.toBytes(m));
            assertArrayEquals(TestChains.sequence(at, 45 - at), MbufCopy.toBytes(t));
            pool.freeChain(m);
            pool.freeChain(t);
        }
        Mbuf raw = pool.get();
        raw.setLen(30);
        Mbuf rawTail = MbufChain.split(raw, 12);
        assertFalse(rawTail.isPktHdr());
        assertEquals(18, rawTail.len());
        Mbuf empty = MbufChain.split(raw, 12);
        assertNotNull(empty, "splitting at the end gives an empty chain, not null");
        assertEquals(0, MbufChain.length(empty));
        MbufChain.cat(raw, empty);
        MbufChain.cat(raw, rawTail);
        assertEquals(1, TestChains.count(raw), "small data is copied into the trailing space");
        assertEquals(30, raw.len());
        pool.freeChain(raw);

        Mbuf m = TestChains.numbered(pool, 5);
        assertNull(MbufChain.split(m, 6), "cannot split beyond the end");
        assertEquals(5, m.pkthdr().len());
        pool.freeChain(m);
        assertEquals(0, pool.stats().mbufsInUse());
    }
}
