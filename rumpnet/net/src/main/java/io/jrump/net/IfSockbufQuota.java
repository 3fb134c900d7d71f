package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.util.Locale;

/**
 * The {@link IfSockbuf} quota an administrator gives an interface with {@code rump.ifconfig IF sockbuf}:
 * a fixed size ({@code sockbuf 4m}) or {@code auto}, twice the adapter's rate times the path's round trip:
 * the bandwidth-delay product a connection needs to keep the link busy (DART seed, "Socket Buffering and Flow
 * Control"), twice because a receive buffer holds a round trip in flight plus what the reader has not taken
 * yet, and a send buffer a round trip unacknowledged plus the data that keeps the window full meanwhile
 * (the factor Linux's receive autotuning applies too). The rate is the one given ({@code auto rate 500mbit}) or the interface's {@code if_baudrate};
 * the round trip is the one given ({@code auto rtt 40ms}) or the one the handshake measured. Until the
 * handshake has measured it, an {@code auto} quota without a configured round trip leaves the buffers as
 * they are, and the window scale is chosen for {@code max} (default 16 MB), the most it will ever give.
 *
 * <p>Buffers are only ever raised, never lowered, to the quota: both directions, as the seed's driver
 * raises the socket's quota.
 *
 * @param bytes the fixed quota, 0 for {@code auto}
 * @param rateBitsPerSec {@code auto}'s rate, 0 for the interface's {@code if_baudrate}
 * @param rttNanos {@code auto}'s configured round trip, 0 for the measured one
 * @param maxBytes the most {@code auto} gives
 */
public record IfSockbufQuota(Ifnet ifp, long bytes, long rateBitsPerSec, long rttNanos, long maxBytes)
        implements IfSockbuf {
    /** RFC 7323 section 2.3: scale 14 advertises at most 1 GiB; a larger buffer could never be used. */
    public static final long MAX_BYTES = 1L << 30;
    public static final long DEFAULT_AUTO_MAX = 16L << 20;

    public IfSockbufQuota {
        if (bytes < 0 || bytes > MAX_BYTES || maxBytes < 0 || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("sockbuf quota out of range 0.." + MAX_BYTES);
        }
    }

    public boolean auto() {
        return bytes == 0;
    }

    /**
     * Parses what follows {@code sockbuf} on the ifconfig line: {@code SIZE} (k, m, g suffixes, powers of
     * 1024) or {@code auto [rate R] [rtt T] [max SIZE]}; EINVAL naming what is wrong otherwise.
     */
    public static IfSockbufQuota parse(Ifnet ifp, String spec) throws ErrnoException {
        String[] w = spec.trim().toLowerCase(Locale.ROOT).split("\\s+");
        try {
            if (!w[0].equals("auto")) {
                if (w.length != 1) {
                    throw new IllegalArgumentException("a fixed sockbuf quota takes no options");
                }
                long b = size(w[0]);
                if (b <= 0) {
                    throw new IllegalArgumentException("sockbuf quota must be positive");
                }
                return new IfSockbufQuota(ifp, b, 0, 0, 0);
            }
            long rate = 0;
            long rtt = 0;
            long max = DEFAULT_AUTO_MAX;
            for (int i = 1; i < w.length; i += 2) {
                if (i + 1 >= w.length) {
                    throw new IllegalArgumentException("'" + w[i] + "' needs a value");
                }
                switch (w[i]) {
                    case "rate" -> rate = rate(w[i + 1]);
                    case "rtt" -> rtt = duration(w[i + 1]);
                    case "max" -> max = size(w[i + 1]);
                    default -> throw new IllegalArgumentException("unknown auto option '" + w[i] + "'");
                }
            }
            return new IfSockbufQuota(ifp, 0, rate, rtt, max);
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(Errno.EINVAL, "sockbuf " + spec + ": " + e.getMessage());
        }
    }

    /** The quota for a path of round trip {@code measuredRttNanos} (0: not measured), 0 for none yet. */
    public long quota(long measuredRttNanos) {
        if (!auto()) {
            return bytes;
        }
        long rate = rateBitsPerSec > 0 ? rateBitsPerSec : ifp == null ? 0 : ifp.baudrate();
        long rtt = rttNanos > 0 ? rttNanos : measuredRttNanos;
        if (rate <= 0 || rtt <= 0) {
            return 0;
        }
        double bdp = 2 * rate / 8.0 * (rtt / 1e9);
        return (long) Math.min(maxBytes, Math.ceil(bdp));
    }

    @Override
    public int[] adjust(int sendLimit, int receiveLimit) {
        return adjust(sendLimit, receiveLimit, 0);
    }

    @Override
    public int[] adjust(int sendLimit, int receiveLimit, long rttNanosMeasured) {
        int q = (int) quota(rttNanosMeasured);
        return new int[] {Math.max(sendLimit, q), Math.max(receiveLimit, q)};
    }

    @Override
    public int receiveCeiling(int sendLimit, int receiveLimit) {
        return (int) Math.max(receiveLimit, auto() ? Math.max(maxBytes, quota(0)) : bytes);
    }

    /** The ifconfig form: {@code 4m}, or {@code auto} with the options set. */
    @Override
    public String toString() {
        if (!auto()) {
            return sizeString(bytes);
        }
        StringBuilder sb = new StringBuilder("auto");
        if (rateBitsPerSec > 0) {
            sb.append(" rate ").append(rateBitsPerSec % 1_000_000 == 0 ? rateBitsPerSec / 1_000_000 + "mbit"
                    : rateBitsPerSec + "bit");
        }
        if (rttNanos > 0) {
            sb.append(" rtt ").append(rttNanos % 1_000_000 == 0 ? rttNanos / 1_000_000 + "ms" : rttNanos / 1000 + "us");
        }
        if (maxBytes != DEFAULT_AUTO_MAX) {
            sb.append(" max ").append(sizeString(maxBytes));
        }
        return sb.toString();
    }

    /** {@code 4m}, {@code 512k} or plain bytes, as {@link #size} reads it back. */
    public static String sizeString(long b) {
        if (b > 0 && b % (1L << 30) == 0) {
            return b / (1L << 30) + "g";
        }
        if (b > 0 && b % (1L << 20) == 0) {
            return b / (1L << 20) + "m";
        }
        if (b > 0 && b % 1024 == 0) {
            return b / 1024 + "k";
        }
        return Long.toString(b);
    }

    /** A byte count with an optional k, m or g suffix (powers of 1024). */
    public static long size(String s) {
        long mul = 1;
        String n = s;
        char c = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        if (c == 'k' || c == 'm' || c == 'g') {
            mul = c == 'k' ? 1L << 10 : c == 'm' ? 1L << 20 : 1L << 30;
            n = s.substring(0, s.length() - 1);
        }
        long v;
        try {
            v = Long.parseLong(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a size (like 4m, 512k or 65536)");
        }
        if (v < 0 || v > MAX_BYTES / mul) {
            throw new IllegalArgumentException(s + " is out of range 0.." + sizeString(MAX_BYTES));
        }
        return v * mul;
    }

    /** A rate as tc writes it: gbit, mbit, kbit or bit, powers of 1000. */
    public static long rate(String s) {
        long mul;
        String n;
        if (s.endsWith("gbit")) {
            mul = 1_000_000_000L;
            n = s.substring(0, s.length() - 4);
        } else if (s.endsWith("mbit")) {
            mul = 1_000_000L;
            n = s.substring(0, s.length() - 4);
        } else if (s.endsWith("kbit")) {
            mul = 1000L;
            n = s.substring(0, s.length() - 4);
        } else if (s.endsWith("bit")) {
            mul = 1;
            n = s.substring(0, s.length() - 3);
        } else {
            throw new IllegalArgumentException("'" + s + "' is not a rate (like 500mbit)");
        }
        try {
            long v = Long.parseLong(n);
            if (v <= 0 || v > Long.MAX_VALUE / mul) {
                throw new IllegalArgumentException("rate " + s + " out of range");
            }
            return v * mul;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a rate (like 500mbit)");
        }
    }

    /** A round trip: s, ms or us. */
    static long duration(String s) {
        long mul;
        String n;
        if (s.endsWith("ms")) {
            mul = 1_000_000L;
            n = s.substring(0, s.length() - 2);
        } else if (s.endsWith("us")) {
            mul = 1000L;
            n = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            mul = 1_000_000_000L;
            n = s.substring(0, s.length() - 1);
        } else {
            throw new IllegalArgumentException("'" + s + "' is not a duration (like 40ms)");
        }
        try {
            long v = Long.parseLong(n);
            if (v <= 0 || v > 60_000_000_000L / mul) {
                throw new IllegalArgumentException("rtt " + s + " out of range (at most 60s)");
            }
            return v * mul;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (like 40ms)");
        }
    }
}
