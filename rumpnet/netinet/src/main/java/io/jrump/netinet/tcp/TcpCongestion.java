package io.jrump.netinet.tcp;

/**
 * A congestion control algorithm ({@code struct tcp_congctl}, NetBSD {@code tcp_congctl.c}): how the
 * congestion window grows with acknowledgements and shrinks on loss. Loss detection and recovery
 * (fast retransmit, NewReno partial acknowledgements, SACK recovery) are the same for every algorithm
 * and live in {@link TcpAckInput}; only the window arithmetic differs. Chosen per connection from
 * {@code net.inet.tcp.congctl.selected} when it is created.
 */
interface TcpCongestion {
    String name();

    /** The connection is established: {@code iw} bytes of initial window ({@link Tcp#initialWindow}). */
    default void init(TcpCb tp, int iw) {
        tp.cwnd = iw;
        tp.ssthresh = Integer.MAX_VALUE / 2;
    }

    /** New data was acknowledged outside recovery: {@code acked} bytes. */
    void ack(TcpCb tp, int acked, long nowNanos);

    /** Loss detected by duplicate ACKs or SACK: set ssthresh and the window for recovery. */
    void congestion(TcpCb tp, long nowNanos);

    /** Recovery ended with a full acknowledgement (RFC 6582 section 3.2 step 3). */
    default void recovered(TcpCb tp) {
        int flight = tp.sndMax - tp.sndUna;
        tp.cwnd = Math.max(Math.min(tp.ssthresh, flight + tp.maxseg), tp.maxseg);
    }

    /** The retransmission timer expired (RFC 5681 section 3.1, equation 4; the loss window). */
    void timeout(TcpCb tp, long nowNanos);

    /** Half the flight size, at least two segments (RFC 5681 section 3.1, equation 4). */
    static int halfFlight(TcpCb tp) {
        int flight = tp.sndMax - tp.sndUna;
        return Math.max(flight / 2, 2 * tp.maxseg);
    }

    /** The algorithm named by {@code net.inet.tcp.congctl.selected}. */
    static TcpCongestion named(String name) {
        return "cubic".equals(name) ? new TcpCubic() : new TcpNewReno();
    }
}
