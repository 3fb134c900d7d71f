package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;

/**
 * The options sockin passes to the host socket. The rump socket layer keeps every {@code SOL_SOCKET}
 * option (buffer sizes, timeouts, linger) and applies it itself; those that change what the host's
 * TCP/IP does go on to the host: {@code SO_KEEPALIVE}, {@code SO_BROADCAST}, {@code SO_REUSEADDR},
 * {@code TCP_NODELAY} and {@code IP_TOS}. Others of the protocol levels are ENOPROTOOPT, as for a
 * protocol that lacks them, rather than accepted and ignored.
 */
final class SockinOptions {
    private SockinOptions() {
    }

    private static int hostOption(int level, int name, boolean stream) {
        if (level == SocketDefs.SOL_SOCKET) {
            return switch (name) {
                case SocketDefs.SO_KEEPALIVE -> stream ? SockinUser.OPT_KEEPALIVE : 0;
                case SocketDefs.SO_BROADCAST -> stream ? 0 : SockinUser.OPT_BROADCAST;
                case SocketDefs.SO_REUSEADDR -> SockinUser.OPT_REUSEADDR;
                default -> 0;
            };
        }
        if (level == SocketDefs.IPPROTO_TCP && stream && name == SocketDefs.TCP_NODELAY) {
            return SockinUser.OPT_NODELAY;
        }
        if (level == SocketDefs.IPPROTO_IP && name == SocketDefs.IP_TOS) {
            return SockinUser.OPT_TOS;
        }
        return 0;
    }

    /**
     * Sets a protocol-level option on the host socket, or passes on a {@code SOL_SOCKET} one; a socket
     * whose host socket is gone keeps its socket-level options only.
     */
    static void set(SockinUser user, SockinUser.Handle h, int level, int name, int value, boolean stream)
            throws ErrnoException {
        int opt = hostOption(level, name, stream);
        if (opt == 0) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level + " option " + name);
        }
        if (h == null) {
            if (level == SocketDefs.SOL_SOCKET) {
                return;
            }
            throw new ErrnoException(Errno.EINVAL, "the host socket is closed");
        }
        user.setOption(h, opt, value);
    }

    static int get(SockinUser user, SockinUser.Handle h, int level, int name, boolean stream) throws ErrnoException {
        int opt = hostOption(level, name, stream);
        if (opt == 0 || level == SocketDefs.SOL_SOCKET) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level + " option " + name);
        }
        if (h == null) {
            throw new ErrnoException(Errno.EINVAL, "the host socket is closed");
        }
        return user.getOption(h, opt);
    }
}
