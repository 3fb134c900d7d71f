package io.jrump.kern.syscall;

/**
 * Socket constants with NetBSD's values ({@code sys/socket.h}, {@code netinet/in.h},
 * {@code sys/filio.h}), shared by the socket syscalls, the protocols and remote clients.
 */
public final class SocketDefs {
    public static final int AF_UNSPEC = 0;
    public static final int AF_LOCAL = 1;
    public static final int AF_INET = 2;
    public static final int AF_ROUTE = 34;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    /** Flags that may be or-ed into the type argument of {@code socket(2)}. */
    public static final int SOCK_CLOEXEC = 0x10000000;
    public static final int SOCK_NONBLOCK = 0x20000000;

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_RAW = 255;

    public static final int SOL_SOCKET = 0xffff;
    public static final int SO_DEBUG = 0x0001;
    public static final int SO_ACCEPTCONN = 0x0002;
    public static final int SO_REUSEADDR = 0x0004;
    public static final int SO_KEEPALIVE = 0x0008;
    public static final int SO_DONTROUTE = 0x0010;
    public static final int SO_BROADCAST = 0x0020;
    public static final int SO_LINGER = 0x0080;
    public static final int SO_OOBINLINE = 0x0100;
    public static final int SO_REUSEPORT = 0x0200;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    public static final int SO_SNDLOWAT = 0x1003;
    public static final int SO_RCVLOWAT = 0x1004;
    public static final int SO_ERROR = 0x1007;
    public static final int SO_TYPE = 0x1008;
    /** Timeouts; through this interface their value is in milliseconds (0: none). */
    public static final int SO_SNDTIMEO = 0x100b;
    public static final int SO_RCVTIMEO = 0x100c;

    /** IPPROTO_IP level options. */
    public static final int IP_HDRINCL = 2;
    public static final int IP_TOS = 3;
    public static final int IP_TTL = 4;
    /** IPPROTO_TCP level options. */
    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_KEEPIDLE = 3;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;

    public static final int MSG_OOB = 0x0001;
    public static final int MSG_PEEK = 0x0002;
    public static final int MSG_DONTROUTE = 0x0004;
    public static final int MSG_EOR = 0x0008;
    public static final int MSG_TRUNC = 0x0010;
    public static final int MSG_CTRUNC = 0x0020;
    public static final int MSG_WAITALL = 0x0040;
    public static final int MSG_DONTWAIT = 0x0080;
    public static final int MSG_NOSIGNAL = 0x0400;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    /** {@code _IOR('f', 127, int)}: bytes ready to read. */
    public static final long FIONREAD = 0x4004667fL;
    /** {@code _IOW('f', 126, int)}: set or clear non-blocking mode. */
    public static final long FIONBIO = 0x8004667eL;

    /** {@code SOMAXCONN}. */
    public static final int SOMAXCONN = 128;

    private SocketDefs() {
    }
}
