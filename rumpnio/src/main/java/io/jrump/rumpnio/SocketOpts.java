package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/**
 * The standard socket options as kernel {@code setsockopt}/{@code getsockopt} calls, with the JDK's
 * argument checks (null and out-of-range values are {@link IllegalArgumentException}, an option the
 * channel does not support is {@link UnsupportedOperationException}). A buffer size above the kernel's
 * {@code kern.sbmax} is cut to it, as Linux cuts one above {@code rmem_max}, instead of failing; the
 * JDK's programs set large buffers and expect that.
 */
final class SocketOpts {
    /** What a TCP socket channel (and its adaptor) supports. */
    static final Set<SocketOption<?>> STREAM = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.IP_TOS);
    /** What a listening channel supports. */
    static final Set<SocketOption<?>> LISTENER = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.IP_TOS);
    /** What a UDP channel supports (no multicast: the rump stack has none). */
    static final Set<SocketOption<?>> DATAGRAM = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_TOS);

    private SocketOpts() {
    }

    private static int level(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return SocketDefs.IPPROTO_TCP;
        }
        if (name == StandardSocketOptions.IP_TOS) {
            return SocketDefs.IPPROTO_IP;
        }
        return SocketDefs.SOL_SOCKET;
    }

    private static int number(SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return SocketDefs.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SocketDefs.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SocketDefs.SO_KEEPALIVE;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return SocketDefs.SO_REUSEADDR;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            return SocketDefs.SO_REUSEPORT;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            return SocketDefs.SO_LINGER;
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            return SocketDefs.SO_BROADCAST;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            return SocketDefs.TCP_NODELAY;
        } else if (name == StandardSocketOptions.IP_TOS) {
            return SocketDefs.IP_TOS;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    static void check(SocketOption<?> name, Set<SocketOption<?>> supported) {
        if (name == null) {
            throw new NullPointerException();
        }
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    static <T> void set(Syscalls sys, int fd, SocketOption<T> name, T value, Set<SocketOption<?>> supported)
            throws IOException {
        check(name, supported);
        if (value == null && name != StandardSocketOptions.SO_LINGER) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        int v;
        if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else if (value instanceof Integer i) {
            v = i;
            if ((name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) && v < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            if (name == StandardSocketOptions.IP_TOS && (v < 0 || v > 255)) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
            if (name == StandardSocketOptions.SO_LINGER) {
                v = v < 0 ? -1 : Math.min(v, 65535);
            }
        } else if (value == null) {
            v = -1;
        } else {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        int level = level(name);
        int num = number(name);
        try {
            sys.setsockopt(fd, level, num, v);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL && (num == SocketDefs.SO_SNDBUF || num == SocketDefs.SO_RCVBUF)) {
                int max = sbmax(sys);
                if (v == 0 || v > max) {
                    try {
                        sys.setsockopt(fd, level, num, Math.max(1, Math.min(v, max)));
                        return;
                    } catch (ErrnoException e2) {
                        throw Errors.socket(e2);
                    }
                }
            }
            throw Errors.socket(e);
        }
    }

    private static int sbmax(Syscalls sys) {
        try {
            return Integer.parseInt(sys.sysctlRead("kern.sbmax").trim());
        } catch (ErrnoException | RuntimeException e) {
            return 256 << 10;
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(Syscalls sys, int fd, SocketOption<T> name, Set<SocketOption<?>> supported) throws IOException {
        check(name, supported);
        int v;
        try {
            v = sys.getsockopt(fd, level(name), number(name));
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
        if (name.type() == Boolean.class) {
            return (T) Boolean.valueOf(v != 0);
        }
        return (T) Integer.valueOf(v);
    }
}
