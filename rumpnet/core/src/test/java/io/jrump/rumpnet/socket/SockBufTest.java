package io.jrump.rumpnet.socket;

import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.mbuf.MbufType;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The socket buffer's record structure and accounting, driven from kernel code as a protocol would. */
@RumpKernel(components = "rumpnet")
class SockBufTest {

    private static Socket socket(Kernel k, int type) throws Exception {
        LoopDomain.install(k);
        return SoCreate.socreate(k.service(Sockets.class), AF, type, 0, Cred.ROOT, 1);
    }

    private static Mbuf data(MbufPool pool, int n, int seed) {
        return MbufCopy.fromBytes(pool, Sk.pattern(n, seed).array(), 0, n);
    }

    @Test
    void datagramRecordsKeepTheirAddressesAndOrder(Kernel k) throws Exception {
        Socket so = socket(k, DGRAM);
        MbufPool pool = so.mbufs();
        so.lock().enter();
        try {
            SockBuf sb = so.rcv;
            assertEquals(LoopDomain.DGRAM_BUF, sb.space());
            assertTrue(sb.appendAddr(port(7), data(pool, 100, 1)));
            assertTrue(sb.appendAddr(port(8), null));
            assertTrue(sb.appendAddr(port(9), data(pool, 3000, 2)));
            assertEquals(3100, sb.cc(), "addresses are not data");
            assertTrue(sb.mbcnt() > 3100);
            assertEquals(Math.min(sb.hiwat() - sb.cc(), sb.mbmax() - sb.mbcnt()), sb.space());
            assertEquals(100, sb.firstRecordLength());

            Mbuf rec = sb.first();
            assertEquals(MbufType.SONAME, rec.type());
            SockAddr a = new SockAddr();
            SockBuf.readAddr(rec, a);
            assertEquals(port(7), a);

            sb.dropRecord();
            assertEquals(0, sb.firstRecordLength(), "the empty datagram");
            sb.drop(0);
            sb.dropRecord();
            assertEquals(3000, sb.cc());
            sb.drop(1000);
            assertEquals(2000, sb.cc());
            sb.flush();
            assertNull(sb.first());
            assertEquals(0, sb.cc());
            assertEquals(0, sb.mbcnt());
            assertThrows(IllegalArgumentException.class, () -> sb.drop(1));
        } finally {
            so.lock().exit();
        }
        SoClose.soclose(so, true);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void aFullBufferRefusesADatagramAndCountsIt(Kernel k) throws Exception {
        Socket so = socket(k, DGRAM);
        MbufPool pool = so.mbufs();
        so.lock().enter();
        try {
            SockBuf sb = so.rcv;
            Mbuf big = data(pool, LoopDomain.DGRAM_BUF, 0);
            assertFalse(sb.appendAddr(port(1), big), "no room for the address as well");
            pool.freeChain(big);
            assertEquals(1, sb.drops());
            int n = 0;
            while (true) {
                Mbuf m = data(pool, 1, n);
                if (!sb.appendAddr(port(1), m)) {
                    pool.freeChain(m);
                    break;
                }
                n++;
            }
            assertTrue(n < LoopDomain.DGRAM_BUF / 16 + 1, "tiny datagrams are bounded by mbcnt too: " + n);
            assertTrue(sb.mbcnt() <= sb.mbmax());
        } finally {
            so.lock().exit();
        }
        SoClose.soclose(so, true);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void streamAppendsCoalesceSmallMbufsAndDropAcrossThem(Kernel k) throws Exception {
        Socket so = socket(k, STREAM);
        MbufPool pool = so.mbufs();
        so.lock().enter();
        try {
            SockBuf sb = so.snd;
            for (int i = 0; i < 10; i++) {
                Mbuf m = pool.get();
                m.buf()[m.off()] = (byte) i;
                m.setLen(1);
                sb.appendStream(m);
            }
            assertEquals(10, sb.cc());
            assertEquals(Mbuf.MLEN, sb.mbcnt(), "ten one-byte segments share one mbuf");
            assertEquals(1, pool.stats().mbufsInUse());
            sb.appendStream(data(pool, 3000, 5));
            assertEquals(3010, sb.cc());
            sb.drop(4);
            byte[] out = new byte[6];
            MbufCopy.copydata(sb.first(), 0, 6, out, 0);
            assertArrayEquals(new byte[] {4, 5, 6, 7, 8, 9}, out);
            sb.drop(6);
            byte[] rest = new byte[3000];
            MbufCopy.copydata(sb.first(), 0, 3000, rest, 0);
            assertArrayEquals(Sk.pattern(3000, 5).array(), rest);
            sb.drop(3000);
            assertNull(sb.first());
            assertEquals(0, sb.mbcnt());
        } finally {
            so.lock().exit();
        }
        SoClose.soclose(so, true);
        assertEquals(0, pool.stats().mbufsInUse());
    }

    @Test
    void aSocketMadeInTheKernelSendsAChainWithoutCopying(Kernel k) throws Exception {
        LoopDomain.install(k);
        Sockets sockets = k.service(Sockets.class);
        Socket rx = SoCreate.socreate(sockets, AF, DGRAM, 0, Cred.ROOT, 0);
        Socket tx = SoCreate.socreate(sockets, AF, DGRAM, 0, Cred.ROOT, 0);
        SoConnect.sobind(rx, port(33), null);
        byte[] payload = Sk.pattern(5000, 4).array();
        int[] freed = new int[1];
        Mbuf m = tx.mbufs().getExternal(payload, 0, payload.length, (b, o, l, a) -> freed[0]++, null);
        assertEquals(5000, SoSend.sosend(tx, port(33), m, 0, false, null));
        k.softints().drain();
        ByteBuffer b = ByteBuffer.allocate(6000);
        SockAddr from = new SockAddr();
        long r = SoReceive.soreceive(rx, from, b, 0, true, null);
        assertEquals(5000, SoReceive.count(r));
        assertEquals(0, SoReceive.msgFlags(r));
        assertArrayEquals(payload, java.util.Arrays.copyOf(b.array(), 5000));
        assertEquals(1, freed[0], "the caller's bytes were released when the datagram was consumed");
        SoClose.soclose(rx, true);
        SoClose.soclose(tx, true);
    }

    /**
     * A small mbuf over caller-owned bytes with a free hook is queued as it is, not copied into the
     * previous mbuf's trailing space and freed: its hook fires once, when the data is dropped (the ACK),
     * and not when it is appended.
     */
    @Test
    void smallExternalMbufsWithAFreeHookAreNeverCompacted(Kernel k) throws Exception {
        Socket so = socket(k, STREAM);
        MbufPool pool = so.mbufs();
        int[] freed = new int[1];
        byte[] frame = Sk.pattern(40, 5).array();
        so.lock().enter();
        try {
            SockBuf sb = so.snd;
            sb.appendStream(data(pool, 10, 1));
            Mbuf small = pool.getExternal(frame, 0, 40, (b, o, l, a) -> freed[0]++, null);
            assertTrue(small.hasExtFree());
            sb.appendStream(small);
            assertEquals(0, freed[0], "appending does not release the owner's bytes");
            assertTrue(sb.first().next() == small, "the external mbuf is queued itself");
            assertEquals(50, sb.cc());
            sb.appendStream(data(pool, 5, 2));
            assertEquals(55, sb.cc());
            sb.drop(30);
            assertEquals(0, freed[0], "still partly queued");
            sb.drop(20);
            assertEquals(1, freed[0], "released once its last byte is dropped");
            sb.flush();
            assertEquals(1, freed[0]);
        } finally {
            so.lock().exit();
        }
        SoClose.soclose(so, true);
    }
}
