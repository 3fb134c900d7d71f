package io.jrump.netinet.lrp;

import io.jrump.netinet.Counters;

/** Indexes into the LRP {@link Counters}, which {@code netstat -s} prints under {@code lrp:}. */
public final class LrpStat {
    public static final int QUEUED = 0;
    public static final int CHANNEL_DROPS = 1;
    public static final int IN_RECEIVER = 2;
    public static final int IN_APP = 3;
    public static final int PARKED = 4;
    /** Of {@link #CHANNEL_DROPS}, those the driver discarded before it built an mbuf chain. */
    public static final int EARLY_DISCARDS = 5;

    private LrpStat() {
    }

    public static Counters create() {
        return new Counters("lrp", "frames queued on socket channels", "frames dropped at a full socket channel",
                "frames processed in the receiver's recv", "frames processed asynchronously for stream sockets",
                "times a listener's channel stopped at a full backlog",
                "of the channel drops, frames discarded before the driver built mbufs for them");
    }
}
