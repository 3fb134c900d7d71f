package io.jrump.net;

/**
 * Interface ioctl numbers, computed as NetBSD's {@code sys/sockio.h} does
 * ({@code _IOW('i', n, struct ifreq)} with a 32-byte {@code ifreq}), so remote tools send what a
 * NetBSD {@code ifconfig} would.
 */
public final class IfIoctl {
    private static final long IOC_OUT = 0x40000000L;
    private static final long IOC_IN = 0x80000000L;
    private static final long IOC_INOUT = IOC_IN | IOC_OUT;

    public static final long SIOCDIFADDR = iow('i', 25, 32);
    public static final long SIOCAIFADDR = iow('i', 26, 64);
    public static final long SIOCSIFFLAGS = iow('i', 16, 32);
    public static final long SIOCGIFFLAGS = iowr('i', 17, 32);
    public static final long SIOCGIFCONF = iowr('i', 38, 16);
    public static final long SIOCIFDESTROY = iow('i', 121, 32);
    public static final long SIOCIFCREATE = iow('i', 122, 32);
    public static final long SIOCGIFMTU = iowr('i', 126, 32);
    public static final long SIOCSIFMTU = iow('i', 127, 32);
    public static final long SIOCSLINKSTR = iow('i', 136, 32);
    public static final long SIOCGLINKSTR = iowr('i', 135, 32);
    /** DART's {@code if_buflen} (seed 002), {@link IfReq#buflen}; numbers NetBSD leaves unused. */
    public static final long SIOCSIFBUFLEN = iow('i', 160, 32);
    public static final long SIOCGIFBUFLEN = iowr('i', 161, 32);
    /** Routes ({@code struct ortentry}, as 4.3BSD's route ioctls). */
    public static final long SIOCADDRT = iow('r', 10, 48);
    public static final long SIOCDELRT = iow('r', 11, 48);
    /** ARP entries ({@code struct arpreq}). */
    public static final long SIOCSARP = iow('i', 30, 36);
    public static final long SIOCDARP = iow('i', 32, 36);

    private IfIoctl() {
    }

    private static long iow(char g, int n, int size) {
        return IOC_IN | ((long) (size & 0x1fff) << 16) | ((long) g << 8) | n;
    }

    private static long iowr(char g, int n, int size) {
        return IOC_INOUT | ((long) (size & 0x1fff) << 16) | ((long) g << 8) | n;
    }
}
