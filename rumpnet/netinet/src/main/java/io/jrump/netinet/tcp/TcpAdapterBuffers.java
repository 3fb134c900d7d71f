package io.jrump.netinet.tcp;

import io.jrump.net.Ifnet;
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
        if (am.admits(Long.MAX_VALUE)) {
            attach(tp, am);
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
