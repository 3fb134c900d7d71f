package io.jrump.net;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * The ioctls behind {@code rump.ifconfig IF sockbuf ...}: DART's socket buffer quota of an interface,
 * given in words in {@link IfReq#value} ({@code 4m}, {@code auto rate 500mbit rtt 40ms}, {@code off}) and
 * parsed here, so that a remote tool and the kernel agree on one syntax ({@link IfSockbufQuota#parse}).
 * NetBSD has no such ioctls; the numbers are in a group of their own ({@code 'd'}).
 */
public final class IfBufferIoctls {
    private static final long IOC_IN = 0x80000000L;
    /** Sets the interface's {@link IfSockbuf} quota; {@code off} removes it. Root only. */
    public static final long SIOCSIFSOCKBUF = IOC_IN | (32L << 16) | ((long) 'd' << 8) | 1;
    /** Gives the interface adapter memory ({@code SIZE [minrate R]}), or with {@code off} takes it away. Root only. */
    public static final long SIOCSIFADAPTERMEM = IOC_IN | (32L << 16) | ((long) 'd' << 8) | 2;
    /** The slowest flow given adapter buffers unless {@code minrate} says otherwise: 1 Mbit/s. */
    public static final long DEFAULT_MIN_RATE_BITS = 1_000_000L;

    private IfBufferIoctls() {
    }

    static void register(Interfaces ifs) {
        ifs.registerIoctl(SIOCSIFSOCKBUF, IfBufferIoctls::setSockbuf);
        ifs.registerIoctl(SIOCSIFADAPTERMEM, IfBufferIoctls::setAdapterMem);
    }

    private static void setSockbuf(Ifnet ifp, long cmd, IfReq req, Cred cred) throws ErrnoException {
        if (req.value == null) {
            throw new ErrnoException(io.jrump.hypercall.Errno.EINVAL, "sockbuf needs a size, auto or off");
        }
        String v = req.value.trim();
        ifp.setSockbufHook(v.equalsIgnoreCase("off") ? null : IfSockbufQuota.parse(ifp, v));
    }

    /**
     * Connections notice at their next look ({@code TcpAdapterBuffers}) that the interface's adapter memory
     * changed or went, and relocate to kernel buffers; buffers still in use return to the old memory.
     */
    private static void setAdapterMem(Ifnet ifp, long cmd, IfReq req, Cred cred) throws ErrnoException {
        String v = req.value == null ? "" : req.value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("off")) {
            ifp.setAdapterMemory(null);
            return;
        }
        String[] w = v.split("\\s+");
        try {
            if (w[0].isEmpty() || w.length != 1 && (w.length != 3 || !w[1].equals("minrate"))) {
                throw new IllegalArgumentException("expected SIZE [minrate RATE] or off");
            }
            long size = IfSockbufQuota.size(w[0]);
            long minRate = w.length == 3 ? IfSockbufQuota.rate(w[2]) : DEFAULT_MIN_RATE_BITS;
            if (size < io.jrump.rumpnet.socket.AdapterMemory.BUFSIZE) {
                throw new IllegalArgumentException("at least " + io.jrump.rumpnet.socket.AdapterMemory.BUFSIZE
                        + " bytes");
            }
            ifp.setAdapterMemory(new io.jrump.rumpnet.socket.AdapterMemory(ifp.name(), ifp.mbufs(), size,
                    minRate / 8));
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(io.jrump.hypercall.Errno.EINVAL, "adaptermem " + req.value + ": " + e.getMessage());
        }
    }

    /**
     * {@code net.ifbuffers}: one line per interface, for {@code ifconfig -v} and {@code netstat -m}: name,
     * socket buffer quota ({@code -} for none, {@code driver} for a driver's own hook, else the ifconfig form
     * with ':' for spaces), {@code if_baudrate} in bits per second, then the adapter memory's quota, bytes in
     * use, peak, buffers handed out, writes that fell back to kernel buffers, relocations and bytes relocated
     * ({@code - 0 0 0 0 0 0} without adapter memory).
     */
    static String table(Interfaces ifs) {
        StringBuilder sb = new StringBuilder();
        for (Ifnet i : ifs.list()) {
            sb.append(i.name()).append(' ').append(describeSockbuf(i)).append(' ').append(i.baudrate());
            var am = i.adapterMemory();
            if (am == null) {
                sb.append(" - 0 0 0 0 0 0");
            } else {
                sb.append(' ').append(am.quota()).append(' ').append(am.used()).append(' ').append(am.peak())
                        .append(' ').append(am.allocs()).append(' ').append(am.fallbacks()).append(' ')
                        .append(am.relocations()).append(' ').append(am.relocatedBytes());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** What {@code ifconfig -v} shows for the interface's socket buffer hook. */
    static String describeSockbuf(Ifnet ifp) {
        IfSockbuf h = ifp.sockbufHook();
        return h == null ? "-" : h instanceof IfSockbufQuota q ? q.toString().replace(' ', ':') : "driver";
    }
}
