package io.jrump.net;

/**
 * The argument of {@code SIOCADDRT}/{@code SIOCDELRT} ({@code route add}/{@code route delete}):
 * destination prefix, gateway (0 for a route out of {@link #ifname} directly) and flags. Passed by value
 * across the remote syscall boundary.
 */
public final class RtReq {
    public int dst;
    public int prefixLen;
    public int gateway;
    /** Interface for a gateway-less route ({@code route add -interface}); may be null otherwise. */
    public String ifname;
    public int flags;

    public RtReq() {
    }

    public RtReq(int dst, int prefixLen, int gateway) {
        this.dst = dst;
        this.prefixLen = prefixLen;
        this.gateway = gateway;
    }
}
