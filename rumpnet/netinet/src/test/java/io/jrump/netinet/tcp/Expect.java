package io.jrump.netinet.tcp;

import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;

/**
 * What a test expects the kernel to send next: each field set here is checked, each left alone is not.
 * {@link #mismatches} names every difference, so a failure reads "window: expected 8190, got 0".
 */
final class Expect {
    private Integer flags;
    private int flagMask = 0xff;
    private Integer seq;
    private Integer ack;
    private Integer window;
    private Integer len;
    private Integer mss;
    private Integer wscale;
    private Boolean sackOk;
    private Boolean ts;
    private Integer tsEcr;
    private List<TcpRepr.SackBlock> sack;

    static Expect flags(int f) {
        return new Expect().withFlags(f);
    }

    Expect withFlags(int f) {
        flags = f;
        return this;
    }

    /** PSH may or may not be set: where a sender puts it is its own business (RFC 9293 section 3.9.1). */
    Expect anyPsh() {
        flagMask &= ~TcpFlags.PSH;
        return this;
    }

    Expect seq(int v) {
        seq = v;
        return this;
    }

    Expect ack(int v) {
        ack = v;
        return this;
    }

    /** The window field as sent, unscaled. */
    Expect window(int v) {
        window = v;
        return this;
    }

    Expect len(int v) {
        len = v;
        return this;
    }

    Expect mss(int v) {
        mss = v;
        return this;
    }

    /** A window scale option with this shift, or {@link TcpRepr#NO_OPTION} for none. */
    Expect wscale(int v) {
        wscale = v;
        return this;
    }

    Expect sackOk(boolean v) {
        sackOk = v;
        return this;
    }

    /** Whether a timestamps option is present. */
    Expect ts(boolean v) {
        ts = v;
        return this;
    }

    /** A timestamps option whose echo reply is {@code v}. */
    Expect tsEcr(int v) {
        ts = true;
        tsEcr = v;
        return this;
    }

    /** Exactly these SACK blocks, in this order; with no arguments, no SACK option. */
    Expect sack(int... edges) {
        List<TcpRepr.SackBlock> l = new ArrayList<>();
        for (int i = 0; i + 1 < edges.length; i += 2) {
            l.add(new TcpRepr.SackBlock(edges[i], edges[i + 1]));
        }
        sack = l;
        return this;
    }

    /** Every option absent: what a peer that offered nothing gets. */
    Expect noOptions() {
        mss = TcpRepr.NO_OPTION;
        wscale = TcpRepr.NO_OPTION;
        sackOk = false;
        ts = false;
        sack = List.of();
        return this;
    }

    List<String> mismatches(Sent s) {
        TcpRepr r = s.tcp();
        List<String> bad = new ArrayList<>();
        if (flags != null && (flags & flagMask) != (r.flags() & flagMask)) {
            bad.add("flags: expected " + TcpFlags.toString(flags) + (flagMask != 0xff ? " (PSH either way)" : "")
                    + ", got " + TcpFlags.toString(r.flags()));
        }
        check(bad, "seq", seq, r.sequenceNumber(), false);
        check(bad, "ack", ack, r.acknowledgmentNumber(), false);
        check(bad, "window", window, r.window(), false);
        check(bad, "payload length", len, r.payloadLength(), false);
        check(bad, "MSS option", mss, r.maxSegmentSize(), false);
        check(bad, "window scale option", wscale, r.windowScale(), false);
        if (sackOk != null && sackOk != r.sackPermitted()) {
            bad.add("SACK-permitted: expected " + (sackOk ? "present" : "absent") + ", got "
                    + (r.sackPermitted() ? "present" : "absent"));
        }
        if (ts != null && ts != (r.timestamps() != null)) {
            bad.add("timestamps: expected " + (ts ? "present" : "absent") + ", got "
                    + (r.timestamps() != null ? "present" : "absent"));
        }
        if (tsEcr != null && r.timestamps() != null && r.timestamps().echoReply() != tsEcr) {
            bad.add("TSecr: expected " + Integer.toUnsignedString(tsEcr) + ", got "
                    + Integer.toUnsignedString(r.timestamps().echoReply()));
        }
        if (sack != null && !sack.equals(r.sackBlocks())) {
            bad.add("SACK blocks: expected " + blocks(sack) + ", got " + blocks(r.sackBlocks()));
        }
        return bad;
    }

    private static void check(List<String> bad, String what, Integer want, int got, boolean isFlags) {
        if (want != null && want != got) {
            bad.add(what + ": expected " + (isFlags ? TcpFlags.toString(want) : str(want, what)) + ", got "
                    + (isFlags ? TcpFlags.toString(got) : str(got, what)));
        }
    }

    private static String str(int v, String what) {
        if (v == TcpRepr.NO_OPTION && what.endsWith("option")) {
            return "none";
        }
        return what.equals("seq") || what.equals("ack") ? Integer.toUnsignedString(v) : Integer.toString(v);
    }

    static String blocks(List<TcpRepr.SackBlock> l) {
        StringBuilder sb = new StringBuilder("[");
        for (TcpRepr.SackBlock b : l) {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append(Integer.toUnsignedString(b.left())).append('-').append(Integer.toUnsignedString(b.right()));
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(flags == null ? "any flags" : TcpFlags.toString(flags));
        if (seq != null) {
            sb.append(" seq=").append(Integer.toUnsignedString(seq));
        }
        if (ack != null) {
            sb.append(" ack=").append(Integer.toUnsignedString(ack));
        }
        if (window != null) {
            sb.append(" win=").append(window);
        }
        if (len != null) {
            sb.append(" len=").append(len);
        }
        if (mss != null) {
            sb.append(" mss=").append(mss == TcpRepr.NO_OPTION ? "none" : mss);
        }
        if (wscale != null) {
            sb.append(" ws=").append(wscale == TcpRepr.NO_OPTION ? "none" : wscale);
        }
        if (sackOk != null) {
            sb.append(sackOk ? " sackOK" : " no-sackOK");
        }
        if (ts != null) {
            sb.append(ts ? " ts" : " no-ts");
        }
        if (tsEcr != null) {
            sb.append(" ecr=").append(Integer.toUnsignedString(tsEcr));
        }
        if (sack != null) {
            sb.append(" sack=").append(blocks(sack));
        }
        return sb.toString();
    }
}
