package io.jrump.virtif;

import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.HyperThread;
import io.jrump.hypercall.Hypercall;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A Linux tap device as an {@link EtherLink}: the data path of NetBSD's {@code if_virt.c}. One receive
 * thread per tap, created through the hypercall layer like a shmif bus reader, blocks in the host
 * until a frame arrives and hands it to the receiver in a buffer it reuses: to a receiver that
 * {@linkplain FrameSink#offloads() takes offload} (a kernel interface), the host memory the frame was read
 * into, so that the frame's one copy in the JVM is into the receiver's mbufs; otherwise an array. It reads frames while
 * the tap has them, up to {@link #BURST}, and tells the receiver where each burst ends
 * ({@link FrameSink#endOfBurst}) before it reads on or waits in the host. {@link #send(Mbuf)} writes
 * a chain with one {@code writev}, one iovec per mbuf; {@link #send(byte[], int, int)} serves wrappers
 * such as the {@link LinkEmulator} that hold frames as arrays. Neither direction allocates per frame.
 *
 * <p>Every frame crosses the tap behind a {@link VirtioNetHdr}. {@link #setOffload} lets Linux hand over
 * frames with their TCP checksum partial and TCP segments up to 64 KB (Linux's GSO, which for a receiver
 * that takes them whole is LRO); {@link #send(Mbuf)} turns the chain's offload flags into the header, so
 * the rump kernel's partial checksums and large segments go to Linux the same way ({@link TapOffload}).
 *
 * <p>Everything that touches the host is in {@link VirtifUser}.
 */
public final class TapLink implements EtherLink {
    private final Hypercall hc;
    private final VirtifUser tap;
    private final int maxFrame;
    /**
     * Frames read between two {@link FrameSink#endOfBurst} calls at most, NAPI's budget: enough to spread
     * the cost of the interrupt's end over a burst, few enough that the first frame's ACK is not held back
     * behind many others'.
     */
    static final int BURST = 8;
    private final LinkCounters counters = new LinkCounters();
    private final byte[] rxBuf;
    /** The frame lent to the receiver, over {@link #rxBuf} or the tap's receive area; the receive thread's. */
    private final RxFrame rxFrame = new RxFrame();
    private final VirtioNetHdr rxHdr = new VirtioNetHdr();
    private final VirtioNetHdr txHdr = new VirtioNetHdr();
    private final HyperThread rxThread;
    private volatile Thread rxHostThread;
    private volatile FrameSink sink;
    private volatile boolean closed;
    private volatile boolean gone;

    private TapLink(Hypercall hc, VirtifUser tap) {
        this.hc = hc;
        this.tap = tap;
        this.maxFrame = tap.mtu() + HEADER_LEN;
        this.rxBuf = new byte[VirtifUser.MAX_FRAME];
        this.rxThread = hc.threads().create("virtif rx " + tap.name(), this::receiveLoop);
    }

    /**
     * Opens Linux tap {@code name}, creating it if it does not exist.
     *
     * @throws HyperError naming the reason if the tap cannot be opened (see {@link VirtifUser#open})
     */
    public static TapLink open(Hypercall hc, String name) {
        Objects.requireNonNull(hc, "hc");
        return new TapLink(hc, VirtifUser.open(name));
    }

    /** The host's name of the tap. */
    public String name() {
        return tap.name();
    }

    /** The tap's MTU on the host when it was opened; the interface takes it. */
    public int mtu() {
        return tap.mtu();
    }

    /**
     * Whether Linux may hand over frames with the TCP checksum partial and TCP/IPv4 segments up to 64 KB
     * ({@code TUNSETOFFLOAD} with checksum, TSO4 and ECN). Frames already queued keep the form they had, so
     * the receiver copes with both either way. Returns false if the tap refused.
     */
    public boolean setOffload(boolean on) {
        synchronized (tap) {
            return !closed && tap.setOffload(on ? VirtifUser.TUN_F_CSUM | VirtifUser.TUN_F_TSO4 | VirtifUser.TUN_F_TSO_ECN
                    : 0) == 0;
        }
    }

    /** True once the tap's host interface was deleted under us; nothing more arrives then. */
    public boolean gone() {
        return gone;
    }

    private void receiveLoop() {
        rxHostThread = Thread.currentThread();
        int burst = 0;
        FrameSink last = null;
        while (!closed) {
            int n;
            try {
                n = tap.awaitFrame(burst == 0);
            } catch (HyperError e) {
                gone = true;
                hc.console().println("virtif: " + e.getMessage() + "; its receiver stops");
                return;
            }
            if (n < 0) {
                return;
            }
            FrameSink s = sink;
            if (n == 0 || burst >= BURST) {
                if (burst > 0 && last != null) {
                    endOfBurst(last, n != 0);
                }
                burst = 0;
                if (n == 0) {
                    continue;
                }
            }
            burst++;
            last = s;
            tap.readHeader(rxHdr);
            if (n < HEADER_LEN || n > maxFrame && rxHdr.gsoType == VirtioNetHdr.GSO_NONE || s == null) {
                counters.drop();
                continue;
            }
            int takes = s.offloads();
            boolean partialOk = (takes & CsumFlags.M_CSUM_TCPv4) != 0;
            int head = Math.min(n, TapOffload.HEADERS);
            tap.copyFrame(0, rxBuf, 0, head);
            boolean direct = head < n && takes != 0 && TapOffload.needsOnlyHeaders(rxHdr, rxBuf, 0, n, partialOk);
            if (!direct) {
                tap.copyFrame(head, rxBuf, head, n - head);
            }
            int flags = TapOffload.forReceive(rxHdr, rxBuf, 0, n, partialOk);
            if (flags == TapOffload.DROP) {
                counters.drop();
                continue;
            }
            counters.received(n);
            boolean whole = flags != 0 && rxHdr.gsoType != VirtioNetHdr.GSO_NONE && rxHdr.gsoSize > 0
                    && (takes & CsumFlags.M_CSUM_TSOv4) != 0;
            if (whole) {
                flags |= CsumFlags.M_CSUM_TSOv4;
            }
            int segSize = whole ? rxHdr.gsoSize : 0;
            try {
                if (direct) {
                    // the headers as forReceive left them (it may have put a pseudo-header sum in)
                    tap.replaceFrameStart(rxBuf, head);
                    s.receive(rxFrame.buffer(tap.receiveArea(), VirtifUser.FRAME_OFFSET, n, flags, segSize));
                } else {
                    s.receive(rxFrame.array(rxBuf, 0, n, flags, segSize));
                }
            } catch (RuntimeException e) {
                hc.console().println("virtif " + tap.name() + ": receiver threw " + e);
            }
        }
    }

    private void endOfBurst(FrameSink s, boolean more) {
        try {
            s.endOfBurst(more);
        } catch (RuntimeException e) {
            hc.console().println("virtif " + tap.name() + ": receiver threw " + e);
        }
    }

    /**
     * Sends the chain headed by {@code m} as one frame, its mbufs as the iovec of one {@code writev} behind
     * the virtio header its offload flags call for. A segment for Linux to cut ({@code M_CSUM_TSOv4}) may be
     * larger than {@link #maxFrame()}, up to 64 KB.
     */
    public void send(Mbuf m) {
        int len = m.pkthdr().len();
        if (closed || len < HEADER_LEN || len > VirtifUser.MAX_FRAME) {
            counters.drop();
            return;
        }
        int err;
        synchronized (tap) {
            if (!TapOffload.forTransmit(m, txHdr) || len > maxFrame && txHdr.gsoType == VirtioNetHdr.GSO_NONE) {
                err = -1;
            } else {
                tap.beginFrame(txHdr);
                for (Mbuf x = m; x != null; x = x.next()) {
                    tap.addSegment(x.buf(), x.off(), x.len());
                }
                err = tap.sendFrame();
            }
        }
        count(err, len);
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > maxFrame) {
            counters.drop();
            return;
        }
        int err;
        synchronized (tap) {
            tap.beginFrame(txHdr.clear());
            tap.addSegment(frame, off, len);
            err = tap.sendFrame();
        }
        count(err, len);
    }

    private void count(int err, int len) {
        if (err == 0) {
            counters.sent(len);
        } else {
            counters.drop();
        }
    }

    @Override
    public void setReceiver(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public int maxFrame() {
        return maxFrame;
    }

    @Override
    public LinkStats stats() {
        return counters.snapshot(0);
    }

    /**
     * Stops the receive thread, waits (briefly) for it, then closes the tap: a tap this link created
     * disappears from the host.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tap.wakeReader();
        if (Thread.currentThread() != rxHostThread) {
            try {
                rxThread.join(TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (tap) {
            tap.close();
        }
    }

    @Override
    public String toString() {
        return "tap " + tap.name();
    }
}
