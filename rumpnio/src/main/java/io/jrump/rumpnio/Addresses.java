package io.jrump.rumpnio;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * Socket addresses between Java's {@link InetSocketAddress} and the kernel's {@link SockAddr}. The rump
 * stack speaks IPv4 only; the IPv6 forms a dual-stack JVM hands out for IPv4 meanings (the wildcard
 * {@code ::} that {@code new InetSocketAddress(port)} may use, {@code ::1}, and IPv4-mapped addresses)
 * become their IPv4 equivalents, and any other IPv6 address is an {@link UnsupportedAddressTypeException},
 * as the JDK's provider answers for an address of a family a channel cannot use.
 */
final class Addresses {
    private Addresses() {
    }

    /**
     * Checks a caller's address as the JDK does (null pointer, unresolved, wrong type) and converts it.
     */
    static SockAddr toKernel(SocketAddress sa) {
        if (sa == null) {
            throw new NullPointerException();
        }
        if (!(sa instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return new SockAddr(SocketDefs.AF_INET, ipv4(isa.getAddress()), isa.getPort());
    }

    /** The IPv4 address, in an int, that {@code a} means. */
    static int ipv4(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }
        if (a instanceof Inet6Address) {
            if (a.isAnyLocalAddress()) {
                return 0;
            }
            if (a.isLoopbackAddress()) {
                return 0x7f000001;
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                return (b[12] & 0xff) << 24 | (b[13] & 0xff) << 16 | (b[14] & 0xff) << 8 | (b[15] & 0xff);
            }
        }
        throw new UnsupportedAddressTypeException();
    }

    static InetAddress inet(int addr) {
        byte[] b = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an address", e);
        }
    }

    static InetSocketAddress toJava(SockAddr s) {
        return new InetSocketAddress(inet(s.addr), s.port);
    }

    /** The wildcard address a channel binds to when the caller gives none (null). */
    static SockAddr any() {
        return new SockAddr(SocketDefs.AF_INET, 0, 0);
    }
}
