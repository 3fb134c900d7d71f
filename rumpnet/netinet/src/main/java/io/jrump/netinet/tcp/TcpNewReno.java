package io.jrump.netinet.tcp;

/**
 * Reno's window arithmetic as NewReno uses it (RFC 5681 section 3.1, RFC 6582): slow start below
 * ssthresh with appropriate byte counting limited to one segment per ACK (RFC 3465 with L = 1 SMSS
 * after a timeout, 2 SMSS otherwise), then one segment per round trip.
 */
final class TcpNewReno implements TcpCongestion {
    private int bytesAcked;

    @Override
    public String name() {
        return "newreno";
    }

    @Override
    public void ack(TcpCb tp, int acked, long nowNanos) {
        int mss = tp.maxseg;
        if (tp.cwnd < tp.ssthresh) {
            tp.cwnd += Math.min(acked, 2 * mss);
            return;
        }
        // Congestion avoidance, RFC 5681 section 3.1: cwnd += SMSS once per cwnd of acknowledged bytes.
        bytesAcked += acked;
        if (bytesAcked >= tp.cwnd) {
            bytesAcked -= tp.cwnd;
            tp.cwnd += mss;
        }
    }

    @Override
    public void congestion(TcpCb tp, long nowNanos) {
        tp.ssthresh = TcpCongestion.halfFlight(tp);
        tp.cwnd = tp.ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void timeout(TcpCb tp, long nowNanos) {
        tp.ssthresh = TcpCongestion.halfFlight(tp);
        tp.cwnd = tp.maxseg;
        bytesAcked = 0;
    }
}
