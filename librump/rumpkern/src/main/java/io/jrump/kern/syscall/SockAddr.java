package io.jrump.kern.syscall;

import com.google.common.net.InetAddresses;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A socket address ({@code struct sockaddr_in}), mutable like the C structure so that a caller can
 * reuse one for every {@code recvfrom} and a busy receive loop makes no garbage. Only AF_INET is
 * defined; the address is an IPv4 address in an int, most significant byte first.
 */
public final class SockAddr {
    public int family;
    public int addr;
    public int port;

    public SockAddr() {
    }

    public SockAddr(int family, int addr, int port) {
        this.family = family;
        this.addr = addr;
        this.port = port;
    }

    /** An AF_INET address from a dotted quad and a port. */
    public static SockAddr in(String dottedQuad, int port) {
        return new SockAddr(SocketDefs.AF_INET, parse(dottedQuad), port);
    }

    public static SockAddr in(int addr, int port) {
        return new SockAddr(SocketDefs.AF_INET, addr, port);
    }

    public void set(SockAddr o) {
        family = o.family;
        addr = o.addr;
        port = o.port;
    }

    public void set(int family, int addr, int port) {
        this.family = family;
        this.addr = addr;
        this.port = port;
    }

    /** EAFNOSUPPORT unless AF_INET, EINVAL for a port outside 0..65535. */
    public void checkInet() throws ErrnoException {
        if (family != SocketDefs.AF_INET) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, "address family " + family);
        }
        if (port < 0 || port > 65535) {
            throw new ErrnoException(Errno.EINVAL, "port " + port);
        }
    }

    public SockAddr copy() {
        return new SockAddr(family, addr, port);
    }

    static int parse(String s) {
        InetAddress a = InetAddresses.isInetAddress(s.trim()) ? InetAddresses.forString(s.trim()) : null;
        if (!(a instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("not an IPv4 address: '" + s + "'");
        }
        return InetAddresses.coerceToInteger(v4);
    }

    /** The dotted quad of an address held in an int. */
    public static String format(int a) {
        return InetAddresses.toAddrString(InetAddresses.fromInteger(a));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr s && s.family == family && s.addr == addr && s.port == port;
    }

    @Override
    public int hashCode() {
        return (family * 31 + addr) * 31 + port;
    }

    @Override
    public String toString() {
        return family == SocketDefs.AF_INET ? format(addr) + ":" + port : "af" + family;
    }
}
