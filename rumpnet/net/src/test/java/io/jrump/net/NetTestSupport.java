package io.jrump.net;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Drivers, handlers and frames shared by the rumpnet_net tests. */
final class NetTestSupport {
    static final long MAC_A = 0x02_00_00_00_00_0aL;
    static final long MAC_B = 0x02_00_00_00_00_0bL;
    static final long MAC_C = 0x02_00_00_00_00_0cL;
    static final long BROADCAST = MacAddress.MASK;
    /** IEEE 802 local experimental ethertype: nothing in the kernel registers it. */
    static final int TYPE_TEST = 0x88B5;
    static final int TYPE_OTHER = 0x88B6;

    private NetTestSupport() {
    }

    static Interfaces ifs(Kernel k) {
        return k.service(Interfaces.class);
    }

    static MbufPool pool(Kernel k) {
        return k.service(MbufPool.class);
    }

    /** An Ethernet frame: header, then payload bytes 0, 1, 2, ... (mod 251). */
    static byte[] frame(long dst, long src, int type, int payloadLen) {
        byte[] f = new byte[14 + payloadLen];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        for (int i = 0; i < payloadLen; i++) {
            f[14 + i] = (byte) (i % 251);
        }
        return f;
    }

    static byte[] payload(int len) {
        byte[] p = new byte[len];
        for (int i = 0; i < len; i++) {
            p[i] = (byte) (i % 251);
        }
        return p;
    }

    static Mbuf mbuf(Kernel k, byte[] b) {
        Mbuf m = MbufCopy.fromBytes(pool(k), b, 0, b.length);
        if (m == null) {
            throw new AssertionError("no mbufs");
        }
        return m;
    }

    /** An up Ethernet interface on a recording driver. */
    static Ifnet upEther(Kernel k, String name, long mac, RecordingDriver d) throws ErrnoException {
        Ifnet ifp = ifs(k).attach(name, Ifnet.IFT_ETHER, 1500, mac, Ifnet.IFF_BROADCAST, d);
        ifp.setFlags(ifp.flags() | Ifnet.IFF_UP);
        return ifp;
    }

    static int errno(Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    static void assertErrno(int expected, Executable e) {
        assertEquals(io.jrump.hypercall.Errno.name(expected), io.jrump.hypercall.Errno.name(errno(e)));
    }

    /** A driver that keeps a copy of every frame sent and frees the chain, as a real one does on completion. */
    static final class RecordingDriver implements IfnetDriver {
        private final List<byte[]> frames = new ArrayList<>();
        final AtomicInteger stops = new AtomicInteger();

        @Override
        public void transmit(Ifnet ifp, Mbuf m) {
            byte[] b = MbufCopy.toBytes(m);
            synchronized (this) {
                frames.add(b);
            }
            ifp.mbufs().freeChain(m);
        }

        @Override
        public void stop(Ifnet ifp) {
            stops.incrementAndGet();
        }

        synchronized List<byte[]> frames() {
            return new ArrayList<>(frames);
        }
    }

    /** One frame as a protocol received it. */
    record Received(Ifnet ifp, byte[] bytes, boolean linkBroadcast, int mflags, int rcvif, int pktLen) {
    }

    /** A protocol that keeps what it receives and frees the chain. */
    static final class RecordingHandler implements EtherTypeHandler {
        private final List<Received> got = new ArrayList<>();

        @Override
        public void input(Ifnet ifp, Mbuf m, boolean linkBroadcast) {
            Received r = new Received(ifp, MbufCopy.toBytes(m), linkBroadcast, m.flags(), m.pkthdr().rcvif(),
                    m.pkthdr().len());
            ifp.mbufs().freeChain(m);
            synchronized (this) {
                got.add(r);
            }
        }

        synchronized List<Received> received() {
            return new ArrayList<>(got);
        }
    }

    /** A capture point that keeps a copy of what it sees and the direction. */
    static final class RecordingTap implements BpfTap {
        record Seen(String ifname, byte[] bytes, boolean outbound) {
        }

        private final List<Seen> seen = new ArrayList<>();

        @Override
        public synchronized void tap(Ifnet ifp, Mbuf m, boolean outbound) {
            seen.add(new Seen(ifp.name(), MbufCopy.toBytes(m), outbound));
        }

        synchronized List<Seen> seen() {
            return new ArrayList<>(seen);
        }
    }
}
