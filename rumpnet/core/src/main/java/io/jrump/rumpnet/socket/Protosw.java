package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A protocol's switch entry with its user requests ({@code struct protosw} and {@code pr_usrreqs} in
 * NetBSD's {@code sys/protosw.h}): what the generic socket layer calls to make a protocol do the work of
 * a socket system call. UDP, raw IP, TCP and sockin implement it; the socket layer implements
 * everything that does not depend on the protocol (buffering, blocking, options, descriptors).
 *
 * <h2>Calling context</h2>
 * Every method except {@link #attach} is called with {@code so.lock()} held, normally by an lwp that
 * holds a virtual CPU (a syscall; {@link #abort} and {@link #detach} also at process exit and halt,
 * from a thread without one); so is the protocol's own input path expected to take {@code so.lock()}
 * before it touches a socket. {@code attach} runs before the socket is visible to anyone, without its
 * lock (for {@link Socket#sonewconn}, with the listener's held by the caller), so that it may choose
 * the lock ({@link Socket#setLock}). A protocol must not sleep in these methods except through a
 * {@link io.jrump.kern.sync.KCondVar} on the socket lock, and must never take a second socket's lock while
 * holding one, except the lock of a socket it just made with {@link Socket#sonewconn}.
 *
 * <h2>Lock order</h2>
 * socket lock, then the protocol's pcb tables, then the listen-queue lock of {@link Socket}. Input
 * that finds a pcb in a table releases the table's lock before it takes the socket's, then checks that
 * {@link Socket#pcb()} is still its pcb ({@link #detach} clears it).
 */
public interface Protosw {
    /** Datagrams: a send is one record, delivered whole or not at all ({@code PR_ATOMIC}). */
    int PR_ATOMIC = 0x01;
    /** Records carry the sender's address ({@code PR_ADDR}), which {@code recvfrom} reports. */
    int PR_ADDR = 0x02;
    /** Connection-oriented: data moves only once connected ({@code PR_CONNREQUIRED}). */
    int PR_CONNREQUIRED = 0x04;
    /** Wants {@link #rcvd} after the user has taken data, to open its window ({@code PR_WANTRCVD}). */
    int PR_WANTRCVD = 0x08;
    /** Accepts {@code listen(2)} ({@code PR_LISTEN}). */
    int PR_LISTEN = 0x10;

    /** {@code SOCK_STREAM}, {@code SOCK_DGRAM}, {@code SOCK_RAW}. */
    int type();

    /** The protocol number ({@code IPPROTO_UDP}, ...), what {@code socket(2)}'s third argument selects. */
    int protocol();

    /** {@code PR_*} bits. */
    int flags();

    /**
     * {@code pru_attach}: allocates the protocol control block and stores it with {@link Socket#setPcb},
     * and sets the buffer limits with {@link Socket#reserve}. {@code proto} is the caller's protocol
     * argument (0 for a socket made by {@link Socket#sonewconn}, which arrives with the listener's
     * buffer limits already set: reserve only if {@code so.snd.hiwat()} is 0, as {@code tcp_attach}
     * does). On failure the socket is discarded without {@link #detach}.
     */
    void attach(Socket so, int proto) throws ErrnoException;

    /**
     * {@code pru_detach}: the last descriptor is gone. The protocol releases its pcb and clears it with
     * {@code so.setPcb(null)}; the socket is then freed. A protocol that must outlive the descriptor
     * (TCP still sending its queued data and FIN) keeps the pcb and, when done, clears it and calls
     * {@link Socket#sofree()}.
     */
    void detach(Socket so);

    /** {@code pru_bind}: EADDRINUSE, EADDRNOTAVAIL, EACCES (privileged port) are the protocol's to report. */
    void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException;

    /**
     * {@code pru_listen}: prepares a listening endpoint, binding an ephemeral address if unbound. The
     * socket layer sets {@code SO_ACCEPTCONN} and the queue limit afterwards.
     */
    default void listen(Socket so, int backlog, Lwp l) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen");
    }

    /**
     * {@code pru_connect}: starts a connection. A protocol that completes it at once calls
     * {@link Socket#isConnected()}; one that needs a handshake calls {@link Socket#isConnecting()} now and
     * later, from its input path, {@code isConnected()} or {@link Socket#setError} followed by
     * {@link Socket#isDisconnected()}. The socket layer makes the caller wait, or answers EINPROGRESS.
     */
    void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException;

    /**
     * {@code pru_disconnect}: starts closing the connection (TCP's FIN), or forgets a datagram socket's
     * default peer. The protocol reports progress with {@link Socket#isDisconnecting()} and
     * {@link Socket#isDisconnected()}.
     */
    default void disconnect(Socket so) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "disconnect");
    }

    /** {@code pru_shutdown}: the write side is closed; called after {@link Socket#cantSendMore()}. */
    default void shutdown(Socket so) throws ErrnoException {
    }

    /**
     * {@code pru_send}: sends the packet {@code m} (a chain with a packet header and
     * {@link io.jrump.rumpnet.mbuf.MbufPool#MAX_HDR} bytes of leading space), to {@code to} or, if null, the
     * connected peer. The protocol owns {@code m} in every case: it queues or sends it, and frees it
     * itself when it fails. {@code flags} are the caller's {@code MSG_*}.
     */
    void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException;

    /** {@code pru_rcvd}: the user took data from the receive buffer ({@link #PR_WANTRCVD} protocols). */
    default void rcvd(Socket so, int flags) {
    }

    /**
     * A reader found too little in the receive buffer and must wait ({@code sbwait} in
     * {@code soreceive}); jrump's own request, which NetBSD does not have. The default sleeps on the
     * buffer ({@link SockBuf#await}) until the protocol's input path appends and calls
     * {@link Socket#sorwakeup()}. A protocol whose data waits in a host object that the reader's own
     * thread can wait on (sockin's host sockets) may instead wait there and move what arrives into the
     * buffer itself, which spares the hand-off through an input thread (one thread wakeup per read).
     * It must then wake when {@link #rcvwakeup} is called, and keep {@code poll} and upcalls working
     * through {@link #rcvsync}.
     *
     * <p>Called with {@code so.lock()} held by an lwp {@code l} on a CPU (null for a kernel caller
     * without one); the lock may be released meanwhile (with the CPU, as a sleep gives it up) but is
     * held again on return. Returns 0 when the caller should look again (data, a state change, or a
     * spurious wakeup), EWOULDBLOCK at {@code deadlineNanos} (monotonic; {@code Long.MAX_VALUE} for
     * none: {@code SO_RCVTIMEO}), EINTR if {@code l} was killed.
     */
    default int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        return so.rcv.await(deadlineNanos);
    }

    /**
     * A blocking stream reader found the receive buffer empty: a protocol whose data waits in a host
     * object (sockin's host sockets) may store what the host has now straight into the reader's
     * {@code dst}, so that bulk input is copied once, from the host into the reader's memory, as a plain
     * host socket copies it, instead of into the buffer and out again. It does so only while no one else
     * counts on the buffer (no upcall, poller or second reader; {@link #rcvsync} takes the input back),
     * since the bytes never pass through it. Returns the bytes stored, 0 when it stored none (the reader
     * then waits in {@link #rcvwait} and looks again); never blocks. Lock held, as for {@link #rcvwait};
     * the default stores nothing.
     */
    default int rcvdirect(Socket so, java.nio.ByteBuffer dst, Lwp l) {
        return 0;
    }

    /**
     * The socket layer woke the readers of the receive buffer (data, end of input, an error, a
     * shutdown or disconnect), lock held: a protocol that waits for them in {@link #rcvwait} other than
     * on the buffer wakes them there too.
     */
    default void rcvwakeup(Socket so) {
    }

    /**
     * Someone looks at the receive buffer without waiting in {@link #rcvwait}: {@code poll} for input,
     * {@code FIONREAD}, a non-blocking read that found too little, a kernel consumer installing an
     * upcall. A protocol that leaves arriving data outside the buffer until a reader waits for it moves
     * what it has in now, and when {@code watch} is true (the caller relies on {@code sorwakeup} for
     * what arrives later: a poller about to sleep, an upcall) resumes delivering it unasked. Lock held.
     * Returns true if the buffer or the socket's state may have changed.
     */
    default boolean rcvsync(Socket so, boolean watch) {
        return false;
    }

    /**
     * {@code pru_abort}: drops the connection now, without a graceful close (TCP sends a RST). Called for
     * {@code SO_LINGER} with 0 seconds and for connections still queued on a listening socket that is
     * closed; {@link #detach} follows.
     */
    default void abort(Socket so) {
    }

    /** {@code pru_sockaddr}: the local address into {@code out}. */
    void sockaddr(Socket so, SockAddr out);

    /** {@code pru_peeraddr}: the peer's address into {@code out}; ENOTCONN if there is none. */
    void peeraddr(Socket so, SockAddr out) throws ErrnoException;

    /** Option of the protocol's own level ({@code IPPROTO_IP}, {@code IPPROTO_TCP}, ...). */
    default int getopt(Socket so, int level, int name) throws ErrnoException {
        throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level + " option " + name);
    }

    /**
     * Sets an option of the protocol's own level. It is also told of every {@code SOL_SOCKET} option the
     * socket layer has set (as NetBSD's {@code pr_ctloutput(PRCO_SETOPT)} is), where ENOPROTOOPT means
     * "not interested".
     */
    default void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level + " option " + name);
    }

    /** {@code pru_ioctl}: a control request the socket and interface layers do not handle. */
    default long ioctl(Socket so, long cmd, Object arg, Lwp l) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "ioctl 0x" + Long.toHexString(cmd));
    }

    /**
     * How many bytes of a stream write the socket layer hands to {@link #send} in one chain: the DART
     * prototype's {@code if_buflen} (seed 002). Cutting writes at the frame size of the interface the
     * connection uses spares the protocol a second segmentation; much longer chains make TCP split
     * them, much shorter ones forgo large-packet efficiency. Protocols that know their route return its
     * interface's value; the default is eight clusters.
     */
    default int segmentSize(Socket so) {
        return Mbuf.MCLBYTES * 8;
    }

    /**
     * DART's precomputed fragmentation (seed 002): for a datagram of {@code len} bytes to {@code to} (null: the
     * connected peer) that IP will fragment, the IP payload of each fragment (a multiple of 8), so that the socket
     * layer builds the chain one fragment per mbuf, with the transport header's room in the first (its first
     * fragment carries {@code transportHeader()} bytes less of data); 0 when the datagram is not fragmented or
     * the protocol does not precompute.
     */
    default int fragmentPayload(Socket so, io.jrump.kern.syscall.SockAddr to, int len) {
        return 0;
    }

    /** The transport header that heads the first fragment of a datagram {@link #fragmentPayload} planned. */
    default int transportHeader() {
        return 0;
    }
}
