package io.jrump.netinet.tcp;

import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.AdapterMemory;
import io.jrump.rumpnet.socket.SockBuf;

/**
 * Which TCP connections keep their send data in their interface's adapter memory (DART seed 002,
 * "Resource Exhaustion" and "Data Relocation"). A connection whose route's interface has adapter memory
 * starts in it when established; then, at most once a round trip and whenever the adapter is short,
 * it is looked at again: a low-bandwidth connection (its window over its round trip below the adapter's
 * admission rate), one the peer's window blocks, one in loss recovery or backing off, one whose route
 * now leaves through another interface, or a slower one while the adapter is short, moves its queued data
 * to kernel buffers ({@link SockBuf#relocate}) and writes go to kernel buffers; one that is fit again
 * returns. A connection on an interface without adapter memory pays one test per send.
 *
 * <p>The receive side is the same decision for the data the adapter holds "until the application accepts
 * it": in-order data is copied into adapter buffers as it is queued for the reader (where the seed's adapter
 * leaves a received frame); a slow connection, one whose reader has fallen behind (half its buffer unread
 * and nothing read 10 ms later: the local form of a closed window), one with a gap in its sequence space (loss), one whose route moved,
 * or a slower one while the adapter is short, moves its unread data to kernel buffers and takes kernel
 * buffers from then on.
 */
final class TcpAdapterBuffers {
    /** Looked at no more often than this even on a very short round trip. */
    private static final long MIN_INTERVAL = 10 * Tcp.MS;

    private final Tcp tcp;

    TcpAdapterBuffers(Tcp tcp) {
        this.tcp = tcp;
    }

    private Ifnet routeIfp(TcpCb tp) {
        var rt = tcp.inet().routes().lookup(tp.inp.faddr());
        return rt == null ? null : rt.ifp();
    }

    /** The connection is established: it starts in its interface's adapter memory if there is any. */
    void established(TcpCb tp) {
        Ifnet ifp = routeIfp(tp);
        AdapterMemory am = ifp == null ? null : ifp.adapterMemory();
        if (am == null) {
            return;
        }
        tp.adapterCapable = true;
        tp.adapterCheckNanos = tcp.now();
        tp.adapterRcvCheckNanos = tp.adapterCheckNanos;
        tp.adapterRcvBytes = tp.bytesIn;
        tp.adapterTimer = tcp.inet().kernel().callouts().create("tcp adapter", () -> readerCheck(tp));
        if (am.admits(Long.MAX_VALUE)) {
            attach(tp, am);
            attachReceive(tp, am);
        }
    }

    private void attachReceive(TcpCb tp, AdapterMemory am) {
        tp.so.rcv.setAdapter(am, tp.so.rcv.hiwat());
        tcp.stats().inc(TcpStat.ADAPTER_RCV_ATTACH);
    }

    /**
     * Queues {@code len} bytes of in-order data, {@code m}, for the reader: in adapter buffers if the
     * receive buffer uses them and the adapter has room (then {@code m} is freed), else as they came.
     * Once half the buffer waits unread, a timer looks again shortly ({@link #readerCheck}). Under the
     * connection's lock.
     */
    void queueReceived(TcpCb tp, Mbuf m, int len, MbufPool pool) {
        SockBuf rcv = tp.so.rcv;
        AdapterMemory am = rcv.adapter();
        if (am != null && len > 0) {
            Mbuf a = am.copyin(m, len);
            if (a != null) {
                pool.freeChain(m);
                m = a;
                tcp.stats().add(TcpStat.ADAPTER_RCV_BYTES, len);
            }
        }
        rcv.appendStream(m);
        if (rcv.adapterBytes() > 0 && rcv.cc() > rcv.hiwat() / 2 && !tp.adapterTimer.pending()) {
            tp.adapterRcvRead = tp.bytesIn - rcv.cc();
            tp.adapterTimer.scheduleNanos(MIN_INTERVAL);
        }
    }

    /**
     * Half the buffer was unread when the timer was armed: if the reader has taken nothing since, it has
     * stopped (a reader that keeps up runs within this time of a burst), and its unread data leaves the
     * adapter, which the next arriving data may return to when the periodic look finds the connection fit.
     * No data need arrive for this: a stopped reader closes the window.
     */
    private void readerCheck(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED)) {
                return;
            }
            SockBuf rcv = so.rcv;
            if (rcv.adapterBytes() == 0 || rcv.cc() <= rcv.hiwat() / 2) {
                return;
            }
            if (tp.bytesIn - rcv.cc() == tp.adapterRcvRead) {
                relocateReceive(tp);
            } else {
                tp.adapterRcvRead = tp.bytesIn - rcv.cc();
                tp.adapterTimer.scheduleNanos(MIN_INTERVAL);
            }
        } finally {
            so.lock().exit();
        }
    }

    /** Before in-order data is queued for the reader; under the connection's lock. */
    void beforeReceive(TcpCb tp) {
        if (!tp.adapterCapable) {
            return;
        }
        SockBuf rcv = tp.so.rcv;
        AdapterMemory am = rcv.adapter();
        long now = tcp.now();
        long elapsed = now - tp.adapterRcvCheckNanos;
        if (elapsed < Math.max(MIN_INTERVAL, tp.srttNanos) && (am == null || !am.squeezed())) {
            return;
        }
        long rate = elapsed > 0 ? (tp.bytesIn - tp.adapterRcvBytes) * Tcp.SEC / elapsed : Long.MAX_VALUE;
        tp.adapterRcvCheckNanos = now;
        tp.adapterRcvBytes = tp.bytesIn;
        Ifnet ifp = routeIfp(tp);
        AdapterMemory routed = ifp == null ? null : ifp.adapterMemory();
        boolean moved = am != null && routed != am;
        boolean lossy = !tp.reass.isEmpty();
        boolean fit = routed != null && !moved && !lossy && routed.admits(rate);
        if (am != null && !fit || am == null && rcv.adapterBytes() > 0) {
            relocateReceive(tp);
        } else if (am == null && fit) {
            attachReceive(tp, routed);
        }
    }

    /** Unread data to kernel buffers, and kernel buffers from now on; counted if anything moved. */
    private void relocateReceive(TcpCb tp) {
        if (tp.so.rcv.relocate() > 0) {
            tcp.stats().inc(TcpStat.ADAPTER_RCV_FALLBACK);
        }
    }

    private void attach(TcpCb tp, AdapterMemory am) {
        SockBuf snd = tp.so.snd;
        int quota = tcp.inet().ifSockbufReceiveCeiling(tp.inp.faddr(), snd.hiwat(), snd.hiwat());
        snd.setAdapter(am, Math.max(snd.hiwat(), quota));
        tp.sndHint = null;
        tcp.stats().inc(TcpStat.ADAPTER_ATTACH);
    }

    /**
     * Moves the connection's queued send data to kernel buffers; TCP's send pointer ({@code sb_sndptr}) may
     * name an mbuf that was replaced, so it is forgotten and the next segment finds its place from the head.
     */
    private static void relocate(TcpCb tp) {
        tp.so.snd.relocate();
        tp.sndHint = null;
    }

    /** Before sending; under the connection's lock. */
    void beforeSend(TcpCb tp) {
        if (!tp.adapterCapable) {
            return;
        }
        SockBuf snd = tp.so.snd;
        AdapterMemory am = snd.adapter();
        long now = tcp.now();
        long interval = Math.max(MIN_INTERVAL, tp.srttNanos);
        if (now - tp.adapterCheckNanos < interval && (am == null || !am.squeezed())) {
            return;
        }
        tp.adapterCheckNanos = now;
        Ifnet ifp = routeIfp(tp);
        AdapterMemory routed = ifp == null ? null : ifp.adapterMemory();
        if (am != null && routed != am) {
            tcp.stats().inc(TcpStat.ADAPTER_ROUTE_MOVED);
            relocate(tp);
            return;
        }
        boolean blocked = tp.sndWnd < tp.maxseg;
        boolean lossy = tp.rxtShift > 0 || tp.has(TcpCb.TF_FASTRECOVERY) || tp.has(TcpCb.TF_SACK_RECOVERY);
        long win = Math.min(tp.sndWnd & 0xffffffffL, tp.cwnd & 0xffffffffL);
        long rate = tp.srttNanos > 0 ? win * Tcp.SEC / tp.srttNanos : Long.MAX_VALUE;
        boolean fit = routed != null && !blocked && !lossy && routed.admits(rate);
        if (am != null && !fit) {
            tcp.stats().inc(TcpStat.ADAPTER_FALLBACK);
            relocate(tp);
        } else if (am == null && snd.adapterBytes() > 0) {
            relocate(tp);
        } else if (am == null && fit) {
            attach(tp, routed);
        }
    }
}
