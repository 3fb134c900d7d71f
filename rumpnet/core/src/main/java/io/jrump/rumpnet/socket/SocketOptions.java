package io.jrump.rumpnet.socket;

import static io.jrump.kern.syscall.SocketDefs.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;

/**
 * {@code sosetopt}/{@code sogetopt} (NetBSD {@code uipc_socket.c}): the {@code SOL_SOCKET} options the
 * socket layer implements itself; other levels belong to the protocol. Values are ints: booleans are
 * 0 or 1, {@code SO_LINGER} is seconds (negative: off), timeouts are milliseconds (0: none).
 */
public final class SocketOptions {
    /** Options that are plain flags in {@code so_options}. */
    private static final int FLAGS = SO_DEBUG | SO_REUSEADDR | SO_REUSEPORT | SO_KEEPALIVE | SO_DONTROUTE
            | SO_BROADCAST | SO_OOBINLINE;
    /** {@code SO_LINGER}'s largest time, as NetBSD's {@code USHRT_MAX} check. */
    private static final int MAX_LINGER = 65535;

    private SocketOptions() {
    }

    private static boolean isFlag(int name) {
        return Integer.bitCount(name) == 1 && (name & FLAGS) != 0;
    }

    /**
     * Sets an option. At {@code SOL_SOCKET}: EINVAL for a buffer size {@code <= 0} or above
     * {@code kern.sbmax}, or a low-water mark below 1; EDOM for a negative timeout or a linger time
     * beyond 65535 s; ENOPROTOOPT for options that are read-only or unknown. The protocol is then told
     * (see {@link Protosw#setopt}).
     */
    public static void setsockopt(Socket so, int level, int name, int value) throws ErrnoException {
        KMutex lock = so.lock();
        lock.enter();
        try {
            if (level != SOL_SOCKET) {
                so.protosw().setopt(so, level, name, value);
                return;
            }
            if (isFlag(name)) {
                so.setOptions(value != 0 ? so.options() | name : so.options() & ~name);
            } else {
                switch (name) {
                    case SO_LINGER -> {
                        if (value > MAX_LINGER) {
                            throw new ErrnoException(Errno.EDOM, "linger " + value + " s");
                        }
                        if (value < 0) {
                            so.setOptions(so.options() & ~SO_LINGER);
                        } else {
                            so.setLinger(value);
                            so.setOptions(so.options() | SO_LINGER);
                        }
                    }
                    case SO_SNDBUF, SO_RCVBUF -> {
                        SockBuf sb = name == SO_SNDBUF ? so.snd : so.rcv;
                        if (value <= 0 || value > so.sockets().sbmax()) {
                            throw new ErrnoException(Errno.EINVAL, "buffer size " + value + " (kern.sbmax "
                                    + so.sockets().sbmax() + ")");
                        }
                        sb.reserve(value);
                        sb.setAutosize(false);
                    }
                    case SO_SNDLOWAT, SO_RCVLOWAT -> {
                        if (value < 1) {
                            throw new ErrnoException(Errno.EINVAL, "low-water mark " + value);
                        }
                        (name == SO_SNDLOWAT ? so.snd : so.rcv).setLowat(value);
                    }
                    case SO_SNDTIMEO, SO_RCVTIMEO -> {
                        if (value < 0) {
                            throw new ErrnoException(Errno.EDOM, "timeout " + value + " ms");
                        }
                        (name == SO_SNDTIMEO ? so.snd : so.rcv).setTimeoutMs(value);
                    }
                    default -> throw new ErrnoException(Errno.ENOPROTOOPT, "SOL_SOCKET option 0x"
                            + Integer.toHexString(name));
                }
            }
            if (so.pcb() != null) {
                try {
                    so.protosw().setopt(so, SOL_SOCKET, name, value);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOPROTOOPT) {
                        throw e;
                    }
                }
            }
        } finally {
            lock.exit();
        }
    }

    /** Reads an option; {@code SO_ERROR} returns the pending error and clears it. */
    public static int getsockopt(Socket so, int level, int name) throws ErrnoException {
        KMutex lock = so.lock();
        lock.enter();
        try {
            if (level != SOL_SOCKET) {
                return so.protosw().getopt(so, level, name);
            }
            if (isFlag(name)) {
                return (so.options() & name) != 0 ? 1 : 0;
            }
            return switch (name) {
                case SO_LINGER -> so.linger();
                case SO_SNDBUF -> so.snd.hiwat();
                case SO_RCVBUF -> so.rcv.hiwat();
                case SO_SNDLOWAT -> so.snd.lowat();
                case SO_RCVLOWAT -> so.rcv.lowat();
                case SO_SNDTIMEO -> so.snd.timeoutMs();
                case SO_RCVTIMEO -> so.rcv.timeoutMs();
                case SO_ERROR -> so.takeError();
                case SO_TYPE -> so.type();
                case SO_ACCEPTCONN -> so.isListening() ? 1 : 0;
                default -> throw new ErrnoException(Errno.ENOPROTOOPT, "SOL_SOCKET option 0x"
                        + Integer.toHexString(name));
            };
        } finally {
            lock.exit();
        }
    }
}
