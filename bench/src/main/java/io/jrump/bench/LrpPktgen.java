package io.jrump.bench;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.ExtFree;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.InternetChecksum;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The blaster of {@code bench/run lrp}: a kernel thread of the sending kernel that puts prebuilt frames on
 * its interface at a paced rate, as Linux's {@code pktgen} does, so that the offered load is set by the
 * experiment and not by how fast a sending application can make syscalls. A datagram's frame is fresh
 * headers over the template's payload, lent ({@link #lend}); a SYN is a fresh copy of its template (the
 * receiver owns and frees either); UDP datagrams and TCP SYNs carry correct
 * checksums, which the receiver verifies in software as part of its protocol work, with the source port varied per frame so that every SYN is a new
 * connection request.
 */
final class LrpPktgen {
    /** Ethernet, IPv4 and UDP headers: what a datagram's frame has before its payload. */
    private static final int HDR = 14 + 20 + 8;
    /** The template outlives every frame lent from it: nothing to give back. */
    private static final ExtFree NO_FREE = (buf, off, len, arg) -> { };
    private final Kernel kernel;
    private final Ifnet ifp;
    private final byte[] frame;
    private final boolean varyTcpPort;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private volatile double rate;
    private final List<Thread> threads = new ArrayList<>();

    private LrpPktgen(Kernel kernel, byte[] frame, boolean varyTcpPort) {
        this.kernel = kernel;
        this.ifp = kernel.service(Interfaces.class).find("shmif0");
        this.frame = frame;
        this.varyTcpPort = varyTcpPort;
    }

    /** UDP datagrams of {@code payload} bytes from {@code src:sport} to {@code dst:dport}. */
    static LrpPktgen udp(Kernel k, long dstMac, int src, int dst, int sport, int dport, int payload) {
        Ifnet ifp = k.service(Interfaces.class).find("shmif0");
        byte[] f = new byte[14 + 20 + 8 + payload];
        ether(f, dstMac, ifp.lladdr());
        ip(f, 17, src, dst, 20 + 8 + payload);
        put16(f, 34, sport);
        put16(f, 36, dport);
        put16(f, 38, 8 + payload);
        for (int i = 0; i < payload; i++) {
            f[42 + i] = (byte) (i * 7);
        }
        int acc = sum(f, 26, 8, 0) + 17 + 8 + payload;
        int c = ~sum(f, 34, 8 + payload, acc) & 0xffff;
        put16(f, 40, c == 0 ? 0xffff : c);
        return new LrpPktgen(k, f, false);
    }

    /** TCP SYNs from {@code src} (a fresh source port each) to {@code dst:dport}. */
    static LrpPktgen syn(Kernel k, long dstMac, int src, int dst, int dport) {
        Ifnet ifp = k.service(Interfaces.class).find("shmif0");
        byte[] f = new byte[14 + 20 + 24];
        ether(f, dstMac, ifp.lladdr());
        ip(f, 6, src, dst, 20 + 24);
        put16(f, 36, dport);
        put32(f, 38, 0x1000_0000);
        f[46] = (byte) (6 << 4);
        f[47] = 0x02;
        put16(f, 48, 65535);
        f[54] = 2;
        f[55] = 4;
        put16(f, 56, 1460);
        return new LrpPktgen(k, f, true);
    }

    private static void ether(byte[] f, long dst, long src) {
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = 0x08;
    }

    private static void ip(byte[] f, int proto, int src, int dst, int len) {
        f[14] = 0x45;
        put16(f, 16, len);
        f[22] = 64;
        f[23] = (byte) proto;
        put32(f, 26, src);
        put32(f, 30, dst);
        put16(f, 24, ~sum(f, 14, 20, 0) & 0xffff);
    }

    private static int sum(byte[] b, int off, int len, int acc) {
        for (int i = 0; i + 1 < len; i += 2) {
            acc += (b[off + i] & 0xff) << 8 | b[off + i + 1] & 0xff;
        }
        if ((len & 1) != 0) {
            acc += (b[off + len - 1] & 0xff) << 8;
        }
        while (acc >>> 16 != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return acc;
    }

    private static void tcpChecksum(byte[] f) {
        f[50] = 0;
        f[51] = 0;
        int tl = f.length - 34;
        int acc = sum(f, 26, 8, 0) + 6 + tl;
        put16(f, 50, ~sum(f, 34, tl, acc) & 0xffff);
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }

    long sent() {
        return sent.get();
    }

    /** Sets the offered rate in frames per second; 0 pauses, {@code Double.POSITIVE_INFINITY} sends flat out. */
    void setRate(double pps) {
        rate = pps;
    }

    /** Starts one sending thread. */
    void start() {
        start(1);
    }

    /**
     * Starts {@code n} sending threads that share the rate, each with its own copy of the frame (its own
     * range of TCP source ports): more than one where a single host thread cannot offer what the experiment
     * asks of the receiver.
     */
    void start(int n) {
        for (int i = 0; i < n; i++) {
            int k = i;
            int nthreads = n;
            Thread t = new Thread(() -> loop(frame.clone(), nthreads, 1024 + k * (64512 / nthreads)),
                    kernel.id() + "/pktgen" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(5000);
        }
    }

    /**
     * A datagram's frame as a pktgen's {@code skb} is: its headers in a packet header mbuf of the blaster's
     * pool, its payload the template itself, lent as external storage (a prebuilt frame, which the template
     * is: nothing ever writes it), so that sending costs the blaster no copy of the payload, as a NIC's DMA
     * from a pktgen's one buffer costs its host none. The receiver takes the payload by reference, as it
     * takes any cluster on the hub, and reads it for its checksum and its application's copy, on its own CPU.
     * Null if no mbuf is left.
     */
    private Mbuf lend(byte[] frame, int sum) {
        Mbuf h = ifp.mbufs().getPacketHeader();
        if (h == null) {
            return null;
        }
        Mbuf p = ifp.mbufs().getPrebuilt(frame, HDR, frame.length - HDR, 0, sum, NO_FREE, null);
        if (p == null || !MbufCopy.append(h, frame, 0, HDR)) {
            if (p != null) {
                ifp.mbufs().freeChain(p);
            }
            ifp.mbufs().freeChain(h);
            return null;
        }
        h.setNext(p);
        h.pkthdr().setLen(frame.length);
        return h;
    }

    /**
     * Sends what is due at the current rate in bursts of up to 32 frames, parking between bursts, so that the
     * offered rate is kept over any window longer than a burst and the thread does not spin a host core.
     */
    private void loop(byte[] frame, int nthreads, int firstPort) {
        int sum = InternetChecksum.sum(frame, HDR, frame.length - HDR);
        int port = firstPort;
        long t0 = System.nanoTime();
        long mine = 0;
        double base = 0;
        double lastRate = -1;
        while (!stop.get()) {
            double r = rate / nthreads;
            long now = System.nanoTime();
            if (r != lastRate) {
                t0 = now;
                base = mine;
                lastRate = r;
            }
            long due = r == Double.POSITIVE_INFINITY ? 32 : (long) (base + (now - t0) * r / 1e9) - mine;
            if (due <= 0) {
                LockSupport.parkNanos(20_000);
                continue;
            }
            for (long i = Math.min(due, 32); i > 0; i--) {
                if (varyTcpPort) {
                    port = port == 65535 ? 1024 : port + 1;
                    put16(frame, 34, port);
                    tcpChecksum(frame);
                }
                Mbuf m = varyTcpPort ? MbufCopy.fromBytes(ifp.mbufs(), frame, 0, frame.length) : lend(frame, sum);
                if (m == null) {
                    break;
                }
                try {
                    ifp.output(m);
                } catch (ErrnoException e) {
                    return;
                }
                mine++;
                sent.incrementAndGet();
            }
        }
    }
}
