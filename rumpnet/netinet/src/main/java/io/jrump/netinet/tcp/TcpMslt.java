package io.jrump.netinet.tcp;

import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Route;
import io.jrump.netinet.Inet;

/**
 * MSL truncation (MSLT, seed 004): the maximum segment lifetime, and so the length of TIME_WAIT
 * (twice it, RFC 9293 section 3.6.1), depends on how near the peer is. A segment to our own host
 * cannot wander the Internet for 30 seconds, nor can one that never leaves a directly attached
 * subnet, so those connections wait less and free their four-tuples sooner.
 *
 * <p>Classes: {@link #DEFAULT} when MSLT is off ({@code net.inet.tcp.msl} for everybody),
 * {@link #LOOPBACK} when the peer's address is one of ours, {@link #LOCAL} when the route to it has
 * no gateway, {@link #REMOTE} otherwise. A directly attached peer whose smoothed RTT exceeds
 * {@code net.inet.tcp.mslt.remote_threshold} milliseconds (a bridged WAN, a VPN) is treated as
 * remote; 0 turns that promotion off. The class is also the {@link Vtw} pool an entry lives in.
 */
final class TcpMslt {
    static final int DEFAULT = 0;
    static final int LOOPBACK = 1;
    static final int LOCAL = 2;
    static final int REMOTE = 3;
    static final int NCLASS = 4;
    private static final String[] NAMES = {"default", "loopback", "local", "remote"};

    private final Tcp tcp;
    final SysctlNode enable;
    final SysctlNode loopback;
    final SysctlNode local;
    final SysctlNode remote;
    final SysctlNode remoteThreshold;

    TcpMslt(Tcp tcp, Sysctl s) {
        this.tcp = tcp;
        int rw = SysctlNode.READWRITE;
        enable = s.createInt("net.inet.tcp.mslt.enable", "MSL truncation: TIME_WAIT length by the peer's nearness",
                1, rw, v -> v == 0 || v == 1);
        loopback = s.createInt("net.inet.tcp.mslt.loopback",
                "MSL in seconds for a peer on this host (TIME_WAIT lasts twice it)", 1, rw, v -> v >= 0 && v <= 600);
        local = s.createInt("net.inet.tcp.mslt.local",
                "MSL in seconds for a peer on a directly attached subnet", 5, rw, v -> v >= 0 && v <= 600);
        remote = s.createInt("net.inet.tcp.mslt.remote",
                "MSL in seconds for a peer reached through a gateway", 30, rw, v -> v >= 0 && v <= 600);
        remoteThreshold = s.createInt("net.inet.tcp.mslt.remote_threshold",
                "Smoothed RTT in ms above which a directly attached peer counts as remote (0: never)", 0, rw,
                v -> v >= 0 && v <= 600_000);
    }

    static String name(int cls) {
        return NAMES[cls];
    }

    /** The class of a connection, decided when it enters TIME_WAIT (its RTT is known by then). */
    int classify(TcpCb tp) {
        if (enable.intValue() == 0) {
            return DEFAULT;
        }
        return classify(tp.inp.laddr(), tp.inp.faddr(), tp.srttNanos);
    }

    int classify(int laddr, int faddr, long srttNanos) {
        Inet inet = tcp.inet();
        if (faddr == laddr || (faddr >>> 24) == 127 || inet.addrs().isLocal(faddr)) {
            return LOOPBACK;
        }
        Route rt = inet.routes().lookup(faddr);
        if (rt == null || rt.isGateway()) {
            return REMOTE;
        }
        int threshold = remoteThreshold.intValue();
        if (threshold > 0 && srttNanos > threshold * Tcp.MS) {
            return REMOTE;
        }
        return LOCAL;
    }

    /** How long TIME_WAIT lasts for a class: 2 * MSL. */
    long timeWaitNanos(int cls) {
        int msl = switch (cls) {
            case LOOPBACK -> loopback.intValue();
            case LOCAL -> local.intValue();
            case REMOTE -> remote.intValue();
            default -> tcp.msl.intValue();
        };
        return 2L * msl * Tcp.SEC;
    }
}
