package io.jrump.rumpnet.socket;

import static io.jrump.kern.syscall.SocketDefs.MSG_DONTWAIT;
import static io.jrump.kern.syscall.SocketDefs.MSG_OOB;
import static io.jrump.kern.syscall.SocketDefs.MSG_PEEK;
import static io.jrump.kern.syscall.SocketDefs.MSG_TRUNC;
import static io.jrump.kern.syscall.SocketDefs.MSG_WAITALL;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufType;
import java.nio.ByteBuffer;

/**
 * {@code soreceive} (NetBSD {@code uipc_socket.c}): the protocol-independent half of every read from a
 * socket. It waits for data as the socket's blocking mode, low-water mark and {@code SO_RCVTIMEO} say,
 * copies out of the receive buffer and frees what it consumed, and tells a
 * {@link Protosw#PR_WANTRCVD} protocol that room was made.
 *
 * <p>A datagram socket returns one record per call, never more: a datagram longer than the caller's
 * buffer is truncated, its rest discarded, and {@code MSG_TRUNC} reported; with {@code MSG_TRUNC} among
 * the caller's flags the result is the datagram's full length (Linux's extension, which NetBSD lacks).
 * A stream socket returns what is there, or with {@code MSG_WAITALL} waits for the full count, and 0 at
 * end of stream. {@code MSG_PEEK} copies without consuming; a pending {@code so_error} is reported once,
 * before any wait, unless data is queued.
 *
 * <p>A non-blocking descriptor still honours the low-water mark (EAGAIN while less is queued, as
 * NetBSD does); {@code MSG_DONTWAIT} returns whatever is there. Before it answers EAGAIN it lets the
 * protocol bring in data held outside the buffer ({@link Protosw#rcvsync}); a blocking reader waits
 * through {@link Protosw#rcvwait}, which sleeps on the buffer unless the protocol waits otherwise.
 *
 * <p>The result packs the byte count in its low 32 bits and the {@code msg_flags} of {@code recvmsg}
 * in its high 32 bits ({@link #count}, {@link #msgFlags}), so that a receive makes no garbage.
 */
public final class SoReceive {
    private SoReceive() {
    }

    /** The byte count of a {@link #soreceive} result. */
    public static int count(long r) {
        return (int) r;
    }

    /** The {@code msg_flags} ({@code MSG_TRUNC}, ...) of a {@link #soreceive} result. */
    public static int msgFlags(long r) {
        return (int) (r >>> 32);
    }

    /**
     * Receives into {@code dst}'s remaining space, its position advancing past the bytes stored;
     * {@code from}, if not null, gets the sender's address on a {@link Protosw#PR_ADDR} socket.
     *
     * @throws ErrnoException EAGAIN (non-blocking, or {@code SO_RCVTIMEO} expired), EINTR, ENOTCONN
     *     on an unconnected stream, the pending {@code so_error}, EOPNOTSUPP for MSG_OOB; when a
     *     {@code MSG_WAITALL} wait fails after some bytes arrived, those are returned instead
     */
    public static long soreceive(Socket so, SockAddr from, ByteBuffer dst, int flags, boolean nbio, Lwp l)
            throws ErrnoException {
        if ((flags & MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "out-of-band data");
        }
        boolean dontwait = (flags & MSG_DONTWAIT) != 0;
        nbio |= dontwait;
        Protosw pr = so.protosw();
        boolean atomic = (pr.flags() & Protosw.PR_ATOMIC) != 0;
        boolean hasAddr = (pr.flags() & Protosw.PR_ADDR) != 0;
        boolean peek = (flags & MSG_PEEK) != 0;
        boolean waitall = (flags & MSG_WAITALL) != 0 && !atomic && !peek && !nbio;
        SockBuf sb = so.rcv;
        KMutex lock = so.lock();
        final int orig = dst.remaining();
        long deadline = 0;
        boolean synced = false;
        lock.enter();
        try {
            for (;;) {
                int r = sb.lock(!nbio);
                if (r != 0) {
                    throw new ErrnoException(r == Errno.EWOULDBLOCK ? Errno.EAGAIN : r);
                }
                boolean wait = false;
                try {
                    int resid = dst.remaining();
                    Mbuf m = sb.first();
                    boolean block = m == null || !dontwait && !atomic && sb.cc() < resid
                            && (sb.cc() < sb.lowat() || (flags & MSG_WAITALL) != 0 && resid <= sb.hiwat());
                    if (block) {
                        if (so.error() != 0) {
                            if (m == null) {
                                throw new ErrnoException(peek ? so.error() : so.takeError());
                            }
                        } else if (so.hasState(Socket.SS_CANTRCVMORE)) {
                            if (m == null) {
                                return 0;
                            }
                        } else {
                            if (!so.hasState(Socket.SS_ISCONNECTED) && !so.hasState(Socket.SS_ISCONNECTING)
                                    && (pr.flags() & Protosw.PR_CONNREQUIRED) != 0) {
                                throw new ErrnoException(Errno.ENOTCONN);
                            }
                            if (resid == 0) {
                                return 0;
                            }
                            if (nbio) {
                                if (!synced) {
                                    synced = true;
                                    if (pr.rcvsync(so, false)) {
                                        continue;
                                    }
                                }
                                throw new ErrnoException(Errno.EAGAIN, "nothing to receive");
                            }
                            if (m == null && !atomic && !peek && !waitall && sb.lowat() <= 1) {
                                int n = pr.rcvdirect(so, dst, l);
                                if (n > 0) {
                                    return n;
                                }
                                if (so.error() != 0 || so.hasState(Socket.SS_CANTRCVMORE)) {
                                    continue;
                                }
                            }
                            wait = true;
                        }
                    }
                    if (!wait) {
                        long res = peek ? peek(sb, from, dst, atomic, hasAddr, flags)
                                : take(so, sb, from, dst, atomic, hasAddr, waitall, flags, l);
                        if (count(res) > 0 || orig == 0 || atomic || so.hasState(Socket.SS_CANTRCVMORE)) {
                            return res;
                        }
                        continue;
                    }
                } finally {
                    sb.unlock();
                }
                if (deadline == 0) {
                    deadline = SoSend.deadline(so, sb);
                }
                r = pr.rcvwait(so, deadline, l);
                if (r != 0) {
                    throw new ErrnoException(r == Errno.EWOULDBLOCK ? Errno.EAGAIN : r);
                }
            }
        } finally {
            lock.exit();
        }
    }

    private static long peek(SockBuf sb, SockAddr from, ByteBuffer dst, boolean atomic, boolean hasAddr,
                             int flags) {
        Mbuf m = sb.first();
        if (hasAddr && m != null && m.type() == MbufType.SONAME) {
            if (from != null) {
                SockBuf.readAddr(m, from);
            }
            m = m.next();
        }
        int copied = 0;
        int off = 0;
        while (m != null && dst.hasRemaining()) {
            int len = Math.min(dst.remaining(), m.len() - off);
            dst.put(m.buf(), m.off() + off, len);
            copied += len;
            if (off + len == m.len()) {
                m = m.next();
                off = 0;
            } else {
                off += len;
            }
        }
        if (!atomic) {
            return copied;
        }
        int rest = -off;
        for (; m != null; m = m.next()) {
            rest += m.len();
        }
        return result(copied, rest, flags);
    }

    private static long result(int copied, int rest, int flags) {
        if (rest <= 0) {
            return copied;
        }
        int n = (flags & MSG_TRUNC) != 0 ? copied + rest : copied;
        return (long) MSG_TRUNC << 32 | (n & 0xffffffffL);
    }

    private static long take(Socket so, SockBuf sb, SockAddr from, ByteBuffer dst, boolean atomic,
                             boolean hasAddr, boolean waitall, int flags, Lwp l) throws ErrnoException {
        Protosw pr = so.protosw();
        boolean ended = false;
        Mbuf m = sb.first();
        if (hasAddr && m.type() == MbufType.SONAME) {
            if (from != null) {
                SockBuf.readAddr(m, from);
            }
            ended = sb.freeHead();
        }
        int copied = 0;
        long deadline = 0;
        while (!ended && dst.hasRemaining()) {
            m = sb.first();
            if (m == null) {
                if (!waitall || so.error() != 0 || so.hasState(Socket.SS_CANTRCVMORE)) {
                    break;
                }
                if ((pr.flags() & Protosw.PR_WANTRCVD) != 0 && so.pcb() != null) {
                    pr.rcvd(so, flags);
                }
                if (sb.first() != null) {
                    continue;
                }
                if (deadline == 0) {
                    deadline = SoSend.deadline(so, sb);
                }
                int r = pr.rcvwait(so, deadline, l);
                if (r != 0) {
                    break;
                }
                continue;
            }
            int len = Math.min(dst.remaining(), m.len());
            dst.put(m.buf(), m.off(), len);
            copied += len;
            if (len == m.len()) {
                ended = sb.freeHead() && atomic;
            } else {
                sb.trimHead(len);
            }
        }
        int rest = 0;
        if (atomic && !ended && sb.first() != null) {
            rest = sb.firstRecordLength();
            sb.dropRecord();
        }
        if ((pr.flags() & Protosw.PR_WANTRCVD) != 0 && so.pcb() != null && (copied > 0 || rest > 0)) {
            pr.rcvd(so, flags);
        }
        return atomic ? result(copied, rest, flags) : copied;
    }
}
