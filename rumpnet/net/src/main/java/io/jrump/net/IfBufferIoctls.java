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

    private IfBufferIoctls() {
    }

    static void register(Interfaces ifs) {
        ifs.registerIoctl(SIOCSIFSOCKBUF, IfBufferIoctls::setSockbuf);
    }

    private static void setSockbuf(Ifnet ifp, long cmd, IfReq req, Cred cred) throws ErrnoException {
        if (req.value == null) {
            throw new ErrnoException(io.jrump.hypercall.Errno.EINVAL, "sockbuf needs a size, auto or off");
        }
        String v = req.value.trim();
        ifp.setSockbufHook(v.equalsIgnoreCase("off") ? null : IfSockbufQuota.parse(ifp, v));
    }

    /**
     * {@code net.ifbuffers}: one line per interface, for {@code ifconfig -v}: name, socket buffer quota
     * ({@code -} for none, {@code driver} for a driver's own hook, else the ifconfig form with ':' for
     * spaces), and {@code if_baudrate} in bits per second.
     */
    static String table(Interfaces ifs) {
        StringBuilder sb = new StringBuilder();
        for (Ifnet i : ifs.list()) {
            sb.append(i.name()).append(' ').append(describeSockbuf(i)).append(' ').append(i.baudrate()).append('\n');
        }
        return sb.toString();
    }

    /** What {@code ifconfig -v} shows for the interface's socket buffer hook. */
    static String describeSockbuf(Ifnet ifp) {
        IfSockbuf h = ifp.sockbufHook();
        return h == null ? "-" : h instanceof IfSockbufQuota q ? q.toString().replace(' ', ':') : "driver";
    }
}
