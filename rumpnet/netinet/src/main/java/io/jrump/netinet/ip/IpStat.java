package io.jrump.netinet.ip;

import io.jrump.netinet.Counters;

/** Indexes into the IP {@link Counters}, with NetBSD's {@code netstat -s} wording. */
public final class IpStat {
    static final int TOTAL = 0;
    static final int BADSUM = 1;
    static final int TOOSHORT = 2;
    static final int TOOSMALL = 3;
    static final int BADHLEN = 4;
    static final int BADLEN = 5;
    static final int BADVERS = 6;
    static final int FRAGMENTS = 7;
    static final int FRAGDROPPED = 8;
    static final int FRAGTIMEOUT = 9;
    static final int REASSEMBLED = 10;
    static final int DELIVERED = 11;
    static final int NOPROTO = 12;
    static final int FORWARD = 13;
    static final int CANTFORWARD = 14;
    static final int LOCALOUT = 15;
    static final int RAWOUT = 16;
    static final int ODROPPED = 17;
    static final int NOROUTE = 18;
    static final int FRAGMENTED = 19;
    static final int OFRAGMENTS = 20;
    static final int CANTFRAG = 21;
    static final int FRAGOVERLAP = 22;
    static final int TOOLONG = 23;
    static final int BADADDR = 24;
    static final int TIMXCEED = 25;
    static final int OFRAGPLANNED = 26;

    public static Counters create() {
        return new Counters("ip", "total packets received", "bad header checksums",
                "with data size < data length", "with size smaller than minimum", "with header length < data size",
                "with data length < header length", "with incorrect version number", "fragments received",
                "fragments dropped (dup or out of space)", "fragments dropped after timeout",
                "packets reassembled ok", "packets for this host", "packets for unknown/unsupported protocol",
                "packets forwarded", "packets not forwardable", "packets sent from this host",
                "packets sent with fabricated ip header", "output packets dropped due to no bufs",
                "output packets discarded due to no route", "output datagrams fragmented", "fragments created",
                "datagrams that can't be fragmented", "fragments dropped for overlapping data",
                "datagrams longer than 65535 bytes after reassembly", "packets with a bad source address",
                "packets whose TTL ran out here",
                "fragments sent at boundaries the socket layer precomputed");
    }

    private IpStat() {
    }
}
