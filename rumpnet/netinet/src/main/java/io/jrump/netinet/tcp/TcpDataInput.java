package io.jrump.netinet.tcp;

import io.jrump.netinet.Counters;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Socket;

/**
 * The receiving side of an arriving segment (RFC 9293 section 3.10.7.4, "seventh, process the segment
 * text" and "eighth, check the FIN bit"; gVisor's {@code rcv.go}): in-order data to the socket, data
 * past a gap to the reassembly queue ({@link TcpReass}), the FIN once everything before it arrived,
 * and when to acknowledge (RFC 1122 section 4.2.3.2, RFC 5681 section 4.2).
 */
final class TcpDataInput {
    private final Tcp tcp;
    private final MbufPool pool;
    private final Counters st;

    TcpDataInput(Tcp tcp) {
        this.tcp = tcp;
        this.pool = tcp.inet().mbufs();
        this.st = tcp.stats();
    }

    /**
     * "Seventh" and "eighth": in-order data goes to the socket (with whatever the reassembly queue can
     * now release), out-of-order data to the queue; the FIN once everything before it arrived. The
     * segment is trimmed to the window ({@code s.seq}, {@code s.len}, {@code s.fin}); {@code m}, its data
     * (null if none is left), is consumed.
     */
    void input(TcpCb tp, TcpInput.Seg s, Mbuf m) {
        Socket so = tp.so;
        int seq = s.seq;
        int len = s.len;
        boolean fin = s.fin;
        boolean delivered = false;
        boolean finNow = false;
        if (seq == tp.rcvNxt) {
            boolean gap = !tp.reass.isEmpty();
            if (len > 0) {
                tcp.adapterBuffers.beforeReceive(tp);
                st.inc(TcpStat.RCVPACK);
                st.add(TcpStat.RCVBYTE, len);
                tp.rcvNxt += len;
                tp.bytesIn += len;
                if (s.ts) {
                    tcp.autosize.received(tp, s.tsEcr, len);
                }
                tcp.adapterBuffers.queueReceived(tp, m, len, pool);
                delivered = true;
            } else if (m != null) {
                pool.freeChain(m);
            }
            if (!gap) {
                finNow = fin;
                if (len > 0) {
                    ackPolicy(tp, len);
                }
            } else {
                // Data beyond a FIN cannot be legitimate; a FIN with a queue behind it is ignored.
                int[] out = s.take;
                Mbuf q;
                while ((q = tp.reass.take(tp.rcvNxt, out)) != null) {
                    tp.rcvNxt += out[0];
                    tp.bytesIn += out[0];
                    if (out[0] > 0) {
                        tcp.adapterBuffers.queueReceived(tp, q, out[0], pool);
                        delivered = true;
                    } else {
                        pool.freeChain(q);
                    }
                    if (out[1] != 0) {
                        finNow = true;
                        tp.reass.flush();
                        break;
                    }
                }
                // RFC 5681 section 4.2: an ACK at once when a segment fills in a gap.
                tp.set(TcpCb.TF_ACKNOW);
            }
        } else {
            st.inc(TcpStat.RCVOOPACK);
            st.add(TcpStat.RCVOOBYTE, len);
            if (m == null) {
                m = pool.get();
                if (m == null) {
                    return;
                }
            }
            int r = tp.reass.insert(seq, len, fin, m);
            if (r == TcpReass.FULL) {
                st.inc(TcpStat.REASSFULL);
            } else if (r == TcpReass.DUPLICATE) {
                // a complete duplicate of queued data (BSD's tcp_reass counts it so)
                st.inc(TcpStat.RCVDUPPACK);
                st.add(TcpStat.RCVDUPBYTE, len);
            }
            // RFC 5681 section 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK).
            tp.set(TcpCb.TF_ACKNOW);
        }
        if (delivered) {
            so.sorwakeup();
        }
        if (finNow) {
            finInput(tp);
        }
    }

    /**
     * RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2: ACK every second full segment at once, the
     * first segments of a connection at once (quick-ACK, so slow start is not held back by delayed
     * ACKs), and otherwise within {@code net.inet.tcp.delack_ticks}. The rule counts full-sized segments
     * of the wire, so a segment received whole from a device that merged or never cut it (a 64 KB GSO frame
     * from a tap, a large segment over the hub) counts as the segments it stands for and is ACKed at once,
     * as FreeBSD delays only segments of at most one MSS and Linux ACKs each merged GRO packet. Delaying it
     * held the sender's next window back by a whole frame's arrival time: with a sender whose congestion
     * window follows its minimum RTT (Linux's BBR) that halved a tap's throughput.
     */
    private void ackPolicy(TcpCb tp, int len) {
        if (tp.quickAcks > 0) {
            tp.quickAcks--;
            tp.set(TcpCb.TF_ACKNOW);
            return;
        }
        tp.segsSinceAck += len > tp.maxseg ? 2 : 1;
        int ticks = tcp.delackTicks.intValue();
        if (tp.segsSinceAck >= 2 || ticks == 0 || tp.has(TcpCb.TF_DELACK)) {
            tp.set(TcpCb.TF_ACKNOW);
            return;
        }
        tp.set(TcpCb.TF_DELACK);
        if (!tp.delackTimer.pending()) {
            tp.delackTimer.schedule(ticks);
        }
    }

    /** "Eighth, check the FIN bit": the peer will send no more; the state moves on. */
    private void finInput(TcpCb tp) {
        tp.rcvNxt += 1;
        tp.set(TcpCb.TF_ACKNOW | TcpCb.TF_RCVD_FIN);
        Socket so = tp.so;
        if (!so.isFreed()) {
            so.cantRcvMore();
        }
        switch (tp.state) {
            case TcpState.SYN_RECEIVED, TcpState.ESTABLISHED -> tp.state = TcpState.CLOSE_WAIT;
            case TcpState.FIN_WAIT_1 -> tp.state = TcpState.CLOSING;
            case TcpState.FIN_WAIT_2 -> {
                tcp.output().output(tp);
                tcp.timeWait().enter(tp);
            }
            default -> {
            }
        }
    }
}
