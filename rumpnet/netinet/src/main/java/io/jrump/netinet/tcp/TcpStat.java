package io.jrump.netinet.tcp;

import io.jrump.netinet.Counters;

/**
 * TCP's counters ({@code struct tcpstat}, NetBSD {@code tcp_var.h}), in the order and words of
 * NetBSD's {@code netstat -s}, each a sysctl under {@code net.inet.tcp.stats}.
 */
final class TcpStat {
    static final int SNDTOTAL = 0;
    static final int SNDPACK = 1;
    static final int SNDBYTE = 2;
    static final int SNDREXMITPACK = 3;
    static final int SNDREXMITBYTE = 4;
    static final int SNDACKS = 5;
    static final int DELACK = 6;
    static final int SNDPROBE = 7;
    static final int SNDWINUP = 8;
    static final int SNDCTRL = 9;
    static final int SNDRST = 10;
    static final int RCVTOTAL = 11;
    static final int RCVACKPACK = 12;
    static final int RCVACKBYTE = 13;
    static final int RCVDUPACK = 14;
    static final int RCVACKTOOMUCH = 15;
    static final int RCVPACK = 16;
    static final int RCVBYTE = 17;
    static final int RCVDUPPACK = 18;
    static final int RCVDUPBYTE = 19;
    static final int RCVOOPACK = 20;
    static final int RCVOOBYTE = 21;
    static final int RCVPACKAFTERWIN = 22;
    static final int RCVWINPROBE = 23;
    static final int RCVWINUPD = 24;
    static final int RCVAFTERCLOSE = 25;
    static final int RCVBADSUM = 26;
    static final int RCVBADOFF = 27;
    static final int RCVSHORT = 28;
    static final int CONNATTEMPT = 29;
    static final int ACCEPTS = 30;
    static final int CONNECTS = 31;
    static final int CLOSED = 32;
    static final int DROPS = 33;
    static final int CONNDROPS = 34;
    static final int RTTUPDATED = 35;
    static final int REXMTTIMEO = 36;
    static final int TIMEOUTDROP = 37;
    static final int PERSISTTIMEO = 38;
    static final int KEEPTIMEO = 39;
    static final int KEEPPROBE = 40;
    static final int KEEPDROPS = 41;
    static final int LISTENDROP = 42;
    static final int SC_ADDED = 43;
    static final int SC_COMPLETED = 44;
    static final int SC_TIMED_OUT = 45;
    static final int SC_OVERFLOWED = 46;
    static final int SC_BUCKETOVERFLOW = 47;
    static final int SC_RESET = 48;
    static final int SC_RETRANSMITTED = 49;
    static final int SC_DUPESYN = 50;
    static final int SC_ABORTED = 51;
    static final int BADSYN = 52;
    static final int CHALLENGEACK = 53;
    static final int PAWSDROP = 54;
    static final int RCVRST = 55;
    static final int RSTIGNORED = 56;
    static final int FASTREXMIT = 57;
    static final int SACKRECOVERY = 58;
    static final int SACKREXMIT = 59;
    static final int RCVSACKBLOCKS = 60;
    static final int SNDSACKBLOCKS = 61;
    static final int NOPORT = 62;
    static final int TIMEWAIT = 63;
    static final int TW_RECYCLED = 64;
    static final int PREDACK = 65;
    static final int PREDDAT = 66;
    static final int REASSFULL = 67;
    static final int BADACK = 68;
    static final int PMTUDECREASE = 69;
    static final int ICMPOUTOFWINDOW = 70;
    static final int SELFQUENCH = 71;
    /** DART (seed 002): data packets built at the interface's if_buflen, larger than a segment, for the adapter to cut. */
    static final int SNDBUFLEN = 72;
    static final int IFSOCKBUF = 73;
    static final int ADAPTER_ATTACH = 74;
    static final int ADAPTER_FALLBACK = 75;
    static final int ADAPTER_ROUTE_MOVED = 76;
    static final int ADAPTER_RCV_ATTACH = 77;
    static final int ADAPTER_RCV_FALLBACK = 78;
    static final int ADAPTER_RCV_BYTES = 79;

    private TcpStat() {
    }

    static Counters create() {
        return new Counters("tcp",
                "packets sent", "data packets sent", "data bytes sent", "data packets retransmitted",
                "data bytes retransmitted", "ack-only packets", "ack-only packets delayed", "window probe packets",
                "window update packets", "control packets", "resets sent",
                "packets received", "acks received", "bytes acked", "duplicate acks", "acks for unsent data",
                "packets received in-sequence", "bytes received in-sequence", "completely duplicate packets",
                "completely duplicate bytes", "out-of-order packets", "out-of-order bytes",
                "packets of data after window", "window probes received", "window update packets received",
                "packets received after close", "discarded for bad checksums",
                "discarded for bad header offset fields", "discarded because packet too short",
                "connection requests", "connection accepts", "connections established (including accepts)",
                "connections closed", "connections dropped", "embryonic connections dropped",
                "segments updated rtt", "retransmit timeouts", "connections dropped by retransmit timeout",
                "persist timeouts", "keepalive timeouts", "keepalive probes sent",
                "connections dropped by keepalive", "times the listen queue of a socket overflowed",
                "SYN cache entries added", "SYN cache entries completed", "SYN cache entries timed out",
                "SYN cache entries dropped due to overflow", "SYN cache entries dropped due to bucket overflow",
                "SYN cache entries dropped due to RST", "SYN,ACKs retransmitted",
                "duplicate SYNs received for entries already in the cache",
                "SYN cache entries aborted (no socket)", "bad SYNs dropped",
                "challenge ACKs sent", "segments dropped by PAWS", "resets received", "resets ignored",
                "fast retransmits", "SACK recovery episodes", "segments retransmitted in SACK recovery",
                "SACK blocks received", "SACK blocks sent", "segments to a port nobody listens on",
                "connections entered TIME_WAIT", "TIME_WAIT connections recycled by a new SYN",
                "correct ACK header predictions", "correct data packet header predictions",
                "segments dropped for a full reassembly queue", "segments with an unacceptable ACK",
                "path MTU decreases", "ICMP errors not quoting an outstanding sequence number",
                "send attempts that found no buffers (self-quench)",
                "data packets built at if_buflen for the adapter to segment",
                "connections whose buffers the interface raised (if_sockbuf)",
                "times a connection's send data went to adapter memory",
                "send buffers relocated to kernel memory (slow, blocked or lossy, or the adapter short)",
                "send buffers relocated to kernel memory (route moved to another interface)",
                "times a connection's received data went to adapter memory",
                "receive buffers relocated to kernel memory (slow, backlogged or lossy, the route moved, or the adapter short)",
                "bytes received into adapter memory");
    }
}
