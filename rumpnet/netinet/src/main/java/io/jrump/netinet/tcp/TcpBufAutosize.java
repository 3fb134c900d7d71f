package io.jrump.netinet.tcp;

import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.rumpnet.socket.SockBuf;
import io.jrump.rumpnet.socket.Socket;

/**
 * Automatic sizing of TCP socket buffers, as NetBSD's {@code tcp_input.c}/{@code tcp_output.c} do it
 * ({@code net.inet.tcp.recvbuf_auto}, {@code sendbuf_auto} and their {@code _inc}/{@code _max}): a
 * connection starts with {@code net.inet.tcp.recvspace}/{@code sendspace} and its buffers grow while
 * they limit it, so a fast path is not held to a 256 KB window while thousands of idle connections do
 * not reserve megabytes. A buffer the user sized with {@code SO_RCVBUF}/{@code SO_SNDBUF} is left alone.
 *
 * <p>Receive: per round trip, measured with our own timestamps (RFC 7323 section 4.3: the first segment
 * that echoes a timestamp we sent after the measurement began closes it), if the peer sent more than
 * 7/8 of the buffer, the buffer grows by {@code recvbuf_inc}. Without timestamps it keeps its size.
 * Send: when the peer's window is at least 4/5 of the send buffer, the buffer is 7/8 full, and the
 * usable window covers all unsent data, so that the buffer rather than the network limits the sender,
 * it grows by {@code sendbuf_inc}. The maxima default to 2 MB each (FreeBSD's {@code
 * net.inet.tcp.recvbuf_max}), above {@code kern.sbmax}, which bounds only what users ask for; the
 * window scale we offer is chosen for the maximum, since it cannot change after the SYN (RFC 7323
 * section 2.2).
 */
final class TcpBufAutosize {
    /** A measurement that does not end within this many timestamp ticks (ms) is abandoned. */
    private static final int MAX_INTERVAL_MS = 1000;

    private final SysctlNode recvAuto;
    private final SysctlNode recvInc;
    private final SysctlNode recvMax;
    private final SysctlNode sendAuto;
    private final SysctlNode sendInc;
    private final SysctlNode sendMax;

    TcpBufAutosize(Sysctl s) {
        int rw = SysctlNode.READWRITE;
        recvAuto = s.createInt("net.inet.tcp.recvbuf_auto", "Grow receive buffers automatically", 1, rw,
                v -> v == 0 || v == 1);
        recvInc = s.createInt("net.inet.tcp.recvbuf_inc", "Receive buffer growth step", 16 * 1024, rw, v -> v > 0);
        recvMax = s.createInt("net.inet.tcp.recvbuf_max", "Largest automatic receive buffer", 2 << 20, rw,
                v -> v > 0);
        sendAuto = s.createInt("net.inet.tcp.sendbuf_auto", "Grow send buffers automatically", 1, rw,
                v -> v == 0 || v == 1);
        sendInc = s.createInt("net.inet.tcp.sendbuf_inc", "Send buffer growth step", 8 * 1024, rw, v -> v > 0);
        sendMax = s.createInt("net.inet.tcp.sendbuf_max", "Largest automatic send buffer", 2 << 20, rw,
                v -> v > 0);
    }

    /** A new TCP socket's buffers may grow if the sysctls allow it. */
    void attach(Socket so) {
        so.snd.setAutosize(sendAuto.intValue() != 0);
        so.rcv.setAutosize(recvAuto.intValue() != 0);
    }

    /** The largest this receive buffer may become: what the window scale must cover. */
    int largestReceiveBuffer(SockBuf rcv) {
        return rcv.autosize() && recvAuto.intValue() != 0 ? Math.max(rcv.hiwat(), recvMax.intValue()) : rcv.hiwat();
    }

    /** We sent timestamp value {@code tsVal}: it opens a measurement if none is open. */
    void timestampSent(TcpCb tp, int tsVal) {
        if (!tp.rfbufOn && tp.so.rcv.autosize()) {
            tp.rfbufOn = true;
            tp.rfbufTs = tsVal;
            tp.rfbufCnt = 0;
        }
    }

    /** {@code len} in-order bytes arrived on a segment echoing {@code tsEcr} (only with timestamps). */
    void received(TcpCb tp, int tsEcr, int len) {
        SockBuf rcv = tp.so.rcv;
        if (!tp.rfbufOn || !rcv.autosize()) {
            return;
        }
        int elapsed = tsEcr - tp.rfbufTs;
        if (elapsed <= 0) {
            tp.rfbufCnt += len;
            return;
        }
        if (elapsed < MAX_INTERVAL_MS && recvAuto.intValue() != 0 && tp.rfbufCnt > rcv.hiwat() / 8 * 7) {
            int max = recvMax.intValue();
            if (rcv.hiwat() < max) {
                rcv.grow((int) Math.min((long) rcv.hiwat() + recvInc.intValue(), max));
            }
        }
        tp.rfbufOn = false;
    }

    /** Before sending, with {@code win} = min(send window, congestion window). */
    void beforeSend(TcpCb tp, long win) {
        SockBuf snd = tp.so.snd;
        if (!snd.autosize() || sendAuto.intValue() == 0) {
            return;
        }
        int hiwat = snd.hiwat();
        int cc = snd.cc();
        int max = sendMax.intValue();
        long unsent = cc - (long) (tp.sndNxt - tp.sndUna);
        if ((tp.sndWnd & 0xffffffffL) / 4 * 5 >= hiwat && cc >= hiwat / 8 * 7 && cc < max && win >= unsent) {
            snd.grow((int) Math.min((long) hiwat + sendInc.intValue(), max));
        }
    }
}
