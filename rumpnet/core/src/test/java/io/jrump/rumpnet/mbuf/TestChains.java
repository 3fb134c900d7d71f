package io.jrump.rumpnet.mbuf;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds chains of every shape from a seeded random source, for comparing operations with a byte[] model. */
final class TestChains {
    private TestChains() {
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /**
     * A packet holding {@code data}, cut into small mbufs, clusters, caller-owned storage and empty mbufs
     * of random sizes at random offsets. Each external buffer's free callback counts into {@code extFrees}.
     */
    static Mbuf randomChain(MbufPool pool, Random rnd, byte[] data, AtomicInteger extFrees) {
        Mbuf head = pool.getPacketHeader();
        int pos = Math.min(data.length, rnd.nextInt(head.trailingSpace() + 1));
        System.arraycopy(data, 0, head.buf(), head.off(), pos);
        head.setLen(pos);
        Mbuf tail = head;
        while (pos < data.length) {
            int left = data.length - pos;
            Mbuf m;
            int n;
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    m = pool.get();
                    m.reserve(rnd.nextInt(Mbuf.MLEN));
                    n = Math.min(left, 1 + rnd.nextInt(m.trailingSpace()));
                }
                case 1 -> {
                    m = pool.getCluster();
                    m.reserve(rnd.nextInt(Mbuf.MCLBYTES / 2));
                    n = Math.min(left, 1 + rnd.nextInt(m.trailingSpace()));
                }
                case 2 -> {
                    n = Math.min(left, 1 + rnd.nextInt(3000));
                    int pad = rnd.nextInt(16);
                    byte[] own = new byte[n + 2 * pad];
                    System.arraycopy(data, pos, own, pad, n);
                    m = pool.getExternal(own, pad, n, (b, o, l, a) -> extFrees.incrementAndGet(), null);
                }
                default -> {
                    m = pool.get();
                    n = 0;
                }
            }
            if (!m.isExt() || m.writable()) {
                System.arraycopy(data, pos, m.buf(), m.off(), n);
                m.setLen(n);
            }
            tail.setNext(m);
            tail = m;
            pos += n;
        }
        head.pkthdr().setLen(data.length);
        return head;
    }

    /** A packet of {@code parts.length} small mbufs holding {@code parts[i]} bytes each, numbered 0, 1, 2, ... */
    static Mbuf numbered(MbufPool pool, int... parts) {
        Mbuf head = null;
        Mbuf tail = null;
        int v = 0;
        int total = 0;
        for (int p : parts) {
            Mbuf m = head == null ? pool.getPacketHeader() : pool.get();
            for (int i = 0; i < p; i++) {
                m.buf()[m.off() + i] = (byte) v++;
            }
            m.setLen(p);
            total += p;
            if (head == null) {
                head = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
        }
        head.pkthdr().setLen(total);
        return head;
    }

    static byte[] sequence(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static int count(Mbuf m) {
        int n = 0;
        for (; m != null; m = m.next()) {
            n++;
        }
        return n;
    }
}
