package io.jrump.rumpnet.socket;

import static io.jrump.kern.syscall.SocketDefs.MSG_DONTWAIT;
import static io.jrump.kern.syscall.SocketDefs.MSG_EOR;
import static io.jrump.kern.syscall.SocketDefs.MSG_OOB;
import static io.jrump.kern.syscall.SocketDefs.SOCK_STREAM;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.mbuf.MbufType;
import java.nio.ByteBuffer;

/**
 * {@code sosend} (NetBSD {@code uipc_socket.c}): the protocol-independent half of every write to a
 * socket. It checks the socket can send, waits for send-buffer space as the socket's blocking mode and
 * {@code SO_SNDTIMEO} allow, copies the caller's bytes into mbuf chains and hands them to
 * {@link Protosw#send}.
 *
 * <p>A datagram ({@link Protosw#PR_ATOMIC}) is one chain and one protocol call, or EMSGSIZE if it
 * exceeds the send buffer's high-water mark. A stream write is cut into chains of at most
 * {@link Protosw#segmentSize} bytes (DART's {@code if_buflen}, seed 002), each handed over as soon as it
 * is copied; a stream write waits for at least the low-water mark of space and may return having sent
 * part of its bytes when it is interrupted, times out or is non-blocking, as BSD's {@code write} does.
 *
 * <p>The socket lock is dropped while bytes are copied, so that the protocol's input (acknowledgements
 * draining the buffer) is not held up by a large copy; the send buffer's {@code sblock} keeps other
 * writers out meanwhile.
 */
public final class SoSend {
    private static final int OOB_SLACK = 1024;
    /**
     * Room before each IP fragment after the first in a datagram laid out for fragmenting: an Ethernet header
     * with a VLAN tag (18 bytes) and an IPv4 header with the most options it can carry (60, RFC 791 section 3.1).
     */
    static final int FRAG_ROOM = 80;

    private SoSend() {
    }

    /**
     * Sends {@code src}'s remaining bytes; its position advances past the bytes sent, which is the result.
     * {@code to} may be null on a connected socket; {@code nbio} is the descriptor's non-blocking mode
     * ({@code MSG_DONTWAIT} in {@code flags} also makes the call non-blocking).
     *
     * @throws ErrnoException EPIPE (no signal is sent: a JVM has none, and MSG_NOSIGNAL is implied),
     *     the pending {@code so_error} once, ENOTCONN, EDESTADDRREQ, EMSGSIZE, EAGAIN, EINTR, ENOBUFS,
     *     EINVAL for MSG_EOR on a stream, or the protocol's error; none of them after some bytes were
     *     sent if the error is EAGAIN, EINTR or ENOBUFS: the count is returned instead
     */
    public static int sosend(Socket so, SockAddr to, ByteBuffer src, int flags, boolean nbio, Lwp l)
            throws ErrnoException {
        return send(so, to, src, null, flags, nbio, l);
    }

    /**
     * Sends a chain made in the kernel (AFPA's cached responses in external storage) as one protocol
     * call, without copying; the chain is consumed in every case.
     */
    public static int sosend(Socket so, SockAddr to, Mbuf top, int flags, boolean nbio, Lwp l)
            throws ErrnoException {
        return send(so, to, null, top, flags, nbio, l);
    }

    private static int send(Socket so, SockAddr to, ByteBuffer src, Mbuf top, int flags, boolean nbio, Lwp l)
            throws ErrnoException {
        Protosw pr = so.protosw();
        boolean atomic = (pr.flags() & Protosw.PR_ATOMIC) != 0;
        int resid = top != null ? MbufChain.length(top) : src.remaining();
        final int orig = resid;
        if (so.type() == SOCK_STREAM && (flags & MSG_EOR) != 0) {
            free(so, top);
            throw new ErrnoException(Errno.EINVAL, "MSG_EOR on a stream");
        }
        if ((flags & MSG_DONTWAIT) != 0) {
            nbio = true;
        }
        SockBuf sb = so.snd;
        KMutex lock = so.lock();
        long deadline = 0;
        lock.enter();
        try {
            for (;;) {
                int r = sb.lock(!nbio);
                if (r != 0) {
                    throw new ErrnoException(r == Errno.EWOULDBLOCK ? Errno.EAGAIN : r);
                }
                try {
                    for (;;) {
                        check(so, pr, to);
                        if (!atomic && resid == 0) {
                            free(so, top);
                            return 0;
                        }
                        int space = sb.space();
                        if ((flags & MSG_OOB) != 0) {
                            space += OOB_SLACK;
                        }
                        if (atomic && resid > sb.hiwat()) {
                            throw new ErrnoException(Errno.EMSGSIZE, resid + " bytes exceed the send buffer ("
                                    + sb.hiwat() + ")");
                        }
                        if (space < resid && (atomic || space < sb.lowat())) {
                            if (nbio) {
                                throw new ErrnoException(Errno.EAGAIN, "send buffer full");
                            }
                            break;
                        }
                        if (top != null) {
                            Mbuf m = top;
                            top = null;
                            pr.send(so, m, to, flags, l);
                            resid = 0;
                            return orig;
                        }
                        do {
                            int chunk = atomic ? resid : Math.min(Math.min(resid, space), segment(so, pr));
                            int frag = atomic ? pr.fragmentPayload(so, to, chunk) : 0;
                            int pos = src.position();
                            // DART adapter memory (seed 002): the adapter's buffers while it has room, else the kernel's
                            AdapterMemory am = atomic ? null : sb.adapter();
                            lock.exit();
                            Mbuf m;
                            try {
                                if (frag > 0) {
                                    m = copyinFragments(so.mbufs(), src, chunk, frag, pr.transportHeader());
                                } else {
                                    m = am == null ? null : am.copyin(src, chunk);
                                    if (m == null) {
                                        m = copyin(so.mbufs(), src, chunk);
                                    }
                                }
                            } finally {
                                lock.enter();
                            }
                            if (m == null) {
                                throw new ErrnoException(Errno.ENOBUFS, "no mbufs for " + chunk + " bytes");
                            }
                            if (so.hasState(Socket.SS_CANTSENDMORE)) {
                                so.mbufs().freeChain(m);
                                src.position(pos);
                                throw new ErrnoException(Errno.EPIPE);
                            }
                            resid -= chunk;
                            space -= chunk;
                            try {
                                pr.send(so, m, to, flags, l);
                            } catch (ErrnoException e) {
                                resid += chunk;
                                src.position(pos);
                                throw e;
                            }
                        } while (resid > 0 && space > 0);
                        if (resid == 0) {
                            return orig;
                        }
                    }
                } finally {
                    sb.unlock();
                }
                if (deadline == 0) {
                    deadline = deadline(so, sb);
                }
                r = sb.await(deadline);
                if (r != 0) {
                    throw new ErrnoException(r == Errno.EWOULDBLOCK ? Errno.EAGAIN : r);
                }
            }
        } catch (ErrnoException e) {
            free(so, top);
            int sent = orig - resid;
            if (sent > 0 && (e.errno() == Errno.EAGAIN || e.errno() == Errno.EINTR || e.errno() == Errno.ENOBUFS)) {
                return sent;
            }
            throw e;
        } finally {
            lock.exit();
        }
    }

    private static void check(Socket so, Protosw pr, SockAddr to) throws ErrnoException {
        if (so.hasState(Socket.SS_CANTSENDMORE)) {
            throw new ErrnoException(Errno.EPIPE);
        }
        if (so.error() != 0) {
            throw new ErrnoException(so.takeError());
        }
        if (!so.hasState(Socket.SS_ISCONNECTED)) {
            if ((pr.flags() & Protosw.PR_CONNREQUIRED) != 0) {
                if (!so.hasState(Socket.SS_ISCONFIRMING)) {
                    throw new ErrnoException(Errno.ENOTCONN);
                }
            } else if (to == null) {
                throw new ErrnoException(Errno.EDESTADDRREQ);
            }
        }
    }

    private static int segment(Socket so, Protosw pr) {
        return Math.max(1, pr.segmentSize(so));
    }

    static long deadline(Socket so, SockBuf sb) {
        int ms = sb.timeoutMs();
        return ms <= 0 ? Long.MAX_VALUE : so.kernel().hypercall().clock().monotonicNanos() + ms * 1_000_000L;
    }

    private static void free(Socket so, Mbuf top) {
        if (top != null) {
            so.mbufs().freeChain(top);
        }
    }

    /**
     * Copies {@code len} bytes of {@code src} into a datagram laid out for IP fragments of {@code frag} bytes of
     * payload each (DART, seed 002: the socket layer, which moves the data, puts the fragment boundaries in):
     * the first mbuf holds {@code frag - thdr} bytes behind room for the link, IP and transport headers, and every
     * further one, itself a packet header mbuf with {@link #FRAG_ROOM} bytes of room for the link and IP headers,
     * holds the next {@code frag} bytes. The fragments are slices of shared jumbo clusters
     * ({@link MbufPool#getSlices}), several to a cluster. Marked {@link io.jrump.rumpnet.mbuf.MbufFlags#M_FRAGPLAN}
     * with {@code frag} in {@code csum_data}. Null, with {@code src} where it was, if the pool is exhausted; a
     * plain chain ({@link #copyin}) if a fragment would not fit a jumbo cluster.
     */
    static Mbuf copyinFragments(MbufPool pool, ByteBuffer src, int len, int frag, int thdr) {
        if (frag - thdr <= 0 || frag + MbufPool.MAX_HDR > Mbuf.MJUMBYTES) {
            return copyin(pool, src, len);
        }
        int count = 1 + (Math.max(0, len - (frag - thdr)) + frag - 1) / frag;
        Mbuf top = pool.getSlices(count, MbufPool.MAX_HDR, FRAG_ROOM, frag);
        if (top == null) {
            return null;
        }
        int left = len;
        int room = frag - thdr;
        for (Mbuf m = top; m != null; m = m.next(), room = frag) {
            int n = Math.min(left, room);
            src.get(m.buf(), m.off(), n);
            m.setLen(n);
            m.pkthdr().setLen(n);
            left -= n;
        }
        top.pkthdr().setLen(len);
        top.pkthdr().setCsumData(frag);
        top.setFlags(io.jrump.rumpnet.mbuf.MbufFlags.M_FRAGPLAN);
        return top;
    }

    /**
     * Copies {@code len} bytes of {@code src} into a new packet: a packet header mbuf (a cluster unless
     * the bytes fit beside the header room) followed by clusters, all from the pool. Null, with
     * {@code src} where it was, if the pool is exhausted.
     */
    static Mbuf copyin(MbufPool pool, ByteBuffer src, int len) {
        int pos = src.position();
        Mbuf top = len <= Mbuf.MLEN - MbufPool.MAX_HDR ? pool.getPacketHeader()
                : len < Mbuf.MJUMBYTES ? pool.getPacketCluster() : pool.getPacketJumbo(MbufType.DATA);
        if (top == null) {
            return null;
        }
        int n = Math.min(len, top.trailingSpace());
        src.get(top.buf(), top.off(), n);
        top.setLen(n);
        Mbuf tail = top;
        for (int left = len - n; left > 0; left -= n) {
            Mbuf m = left <= Mbuf.MLEN ? pool.get() : left < Mbuf.MJUMBYTES ? pool.getCluster()
                    : pool.getJumbo(MbufType.DATA);
            if (m == null) {
                pool.freeChain(top);
                src.position(pos);
                return null;
            }
            n = Math.min(left, m.trailingSpace());
            src.get(m.buf(), m.off(), n);
            m.setLen(n);
            tail.setNext(m);
            tail = m;
        }
        top.pkthdr().setLen(len);
        return top;
    }
}
