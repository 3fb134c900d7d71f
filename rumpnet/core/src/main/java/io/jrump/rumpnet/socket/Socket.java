package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.SelInfo;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * A socket ({@code struct socket}, NetBSD {@code sys/socketvar.h}) and the state changes protocols
 * report on it ({@code uipc_socket2.c}: {@code soisconnecting}, {@code soisconnected},
 * {@code sonewconn}, ...).
 *
 * <h2>Locking</h2>
 * Each socket has a {@link #lock()}; the socket layer holds it around every {@link Protosw} call, and
 * a protocol's input path takes it before touching the socket, its buffers or its state. Sleeps in the
 * socket layer are {@link KCondVar} waits on it, which give up the virtual CPU. The order is: socket
 * lock, then the protocol's pcb tables, then the listen-queue lock ({@link ListenQueue}, a leaf).
 * The socket layer never holds two socket locks; a protocol may hold a listening socket's lock while it
 * locks a socket it just made with {@link #sonewconn} (listener first), never the other way round.
 * A protocol may give several sockets one lock ({@link #setLock} in {@link Protosw#attach}), as
 * NetBSD's TCP does with {@code softnet_lock}.
 *
 * <h2>Listen queues</h2>
 * A listening socket keeps connections the protocol has begun but not completed on {@code q0} and
 * completed ones on {@code q}, where {@code accept(2)} takes them. The queue limit comes from the
 * {@code listen(2)} backlog capped at {@code kern.somaxconn}, with BSD's allowance of half as much again;
 * a full queue makes {@link #sonewconn} return null and is counted, and {@link #listenQueueFull()} lets a
 * protocol (LRP, seed 003) drop a SYN before doing any work for it.
 *
 * <h2>Memory</h2>
 * A socket is kernel memory ({@code socket_pool} in NetBSD's {@code soget}): it is charged
 * {@link #KMEM_BYTES} to the kernel's limit ({@code rump_server -r}) when it is made, ENOBUFS past
 * it, and given back when it is freed. Its buffers' contents are mbufs, charged by the mbuf pools.
 */
public final class Socket {
    /**
     * What one socket costs the host besides the data it queues: the {@code Socket}, its two
     * {@link SockBuf}s, its lock, condition variable and poll waiters, and its entry in the kernel's
     * socket set. Measured as about 740 bytes per socket over 50,000 (a UDP socket with its pcb and
     * descriptor took 862 bytes); {@code KernelMemoryFootprintTest} checks it.
     */
    public static final long KMEM_BYTES = 736;
    /** The kernel memory account of sockets. */
    public static final String KMEM_TYPE = "socket";

    /** No descriptor refers to the socket any more. */
    public static final int SS_NOFDREF = 0x001;
    public static final int SS_ISCONNECTED = 0x002;
    public static final int SS_ISCONNECTING = 0x004;
    public static final int SS_ISDISCONNECTING = 0x008;
    public static final int SS_CANTSENDMORE = 0x010;
    public static final int SS_CANTRCVMORE = 0x020;
    public static final int SS_RCVATMARK = 0x040;
    /** Deciding whether to accept a connection request (4.4BSD). */
    public static final int SS_ISCONFIRMING = 0x400;
    public static final int SS_ISDISCONNECTED = 0x800;

    private final Sockets sockets;
    private final long id;
    private final Domain domain;
    private final Protosw proto;
    private final int type;
    private final Cred cred;
    private final int pid;
    private final SelInfo sel = new SelInfo();
    private KMutex lock;
    private final KCondVar cv;
    private boolean embryonic = true;
    private volatile Object pcb;
    private volatile int options;
    private volatile int state;
    private volatile int error;
    private int linger = -1;
    private volatile SoUpcall upcall;
    private volatile SoAcceptHook acceptHook;
    /** Held back from {@code accept} by a kernel consumer ({@link SoHold}); guarded by {@link #lock}. */
    private boolean kernelHeld;
    /** A kernel consumer's close or abort of this socket is under way or done; guarded by {@link #lock}. */
    boolean kernelClosing;
    /** An upcall runs with the lock held, and a {@link #receiveLocked} in it owes the protocol a rcvd; lock held. */
    private boolean inUpcall;
    private boolean rcvdOwed;
    /** Send buffer ({@code so_snd}). */
    public final SockBuf snd;
    /** Receive buffer ({@code so_rcv}). */
    public final SockBuf rcv;
    /** Frames early demultiplexing queued for this socket under Lazy Receiver Processing (seed 003). */
    public final SoChannel channel = new SoChannel();

    private volatile Socket head;
    /** Links of a queued connection, guarded by its listener's {@link ListenQueue}. */
    Socket qnext;
    Socket qprev;
    int onq;
    private volatile ListenQueue lq;
    private volatile boolean freed;

    /** A new socket, charged to the kernel's memory; ENOBUFS past the limit. */
    Socket(Sockets sockets, Domain domain, Protosw proto, Cred cred, int pid) throws ErrnoException {
        if (!sockets.kernel().kmem().alloc(sockets.kmemType(), KMEM_BYTES)) {
            throw new ErrnoException(Errno.ENOBUFS, "no kernel memory for a socket");
        }
        this.sockets = sockets;
        this.id = sockets.nextId();
        this.domain = domain;
        this.proto = proto;
        this.type = proto.type();
        this.cred = cred;
        this.pid = pid;
        Kernel k = sockets.kernel();
        this.lock = k.newMutex();
        this.cv = k.newCondVar();
        this.snd = new SockBuf(this, false);
        this.rcv = new SockBuf(this, true);
    }

    /** The send buffer; the same as {@link #snd}. */
    public SockBuf snd() {
        return snd;
    }

    /** The receive buffer; the same as {@link #rcv}. */
    public SockBuf rcv() {
        return rcv;
    }

    /** A number unique among this kernel's sockets, in creation order, for listings. */
    public long id() {
        return id;
    }

    public Kernel kernel() {
        return sockets.kernel();
    }

    public MbufPool mbufs() {
        return sockets.mbufs();
    }

    Sockets sockets() {
        return sockets;
    }

    public Domain domain() {
        return domain;
    }

    public Protosw protosw() {
        return proto;
    }

    /** {@code SOCK_STREAM}, {@code SOCK_DGRAM}, {@code SOCK_RAW}. */
    public int type() {
        return type;
    }

    /** Credentials of the process that made the socket (for a queued connection: of the listener's). */
    public Cred cred() {
        return cred;
    }

    /** The process that made the socket, for {@code sockstat}. */
    public int pid() {
        return pid;
    }

    /** The lock guarding this socket's state and buffers; see the class comment for the order. */
    public KMutex lock() {
        return lock;
    }

    /**
     * Replaces the socket's lock; only from {@link Protosw#attach}, before anyone else can see the socket,
     * for protocols that share one lock among sockets (a pair of local sockets, or a domain-wide lock).
     */
    public void setLock(KMutex m) {
        if (!embryonic) {
            throw new IllegalStateException("the socket lock can only be chosen in attach");
        }
        this.lock = m;
    }

    void born() {
        embryonic = false;
    }

    /** The protocol control block ({@code so_pcb}), null once detached. */
    public Object pcb() {
        return pcb;
    }

    public void setPcb(Object p) {
        this.pcb = p;
    }

    /** {@code SO_*} option bits ({@code so_options}). */
    public int options() {
        return options;
    }

    void setOptions(int o) {
        options = o;
    }

    /** {@code SS_*} state bits ({@code so_state}). */
    public int state() {
        return state;
    }

    /** Whether every bit of {@code bits} is set in {@link #state()}. */
    public boolean hasState(int bits) {
        return (state & bits) == bits;
    }

    /** Sets state bits directly, as protocols do in BSD; with the lock held. */
    public void setState(int bits) {
        state |= bits;
    }

    /** Clears state bits directly (UDP's disconnect clears only {@code SS_ISCONNECTED}); with the lock held. */
    public void clearState(int bits) {
        state &= ~bits;
    }

    /** The pending error ({@code so_error}), reported once to the user then cleared. */
    public int error() {
        return error;
    }

    /**
     * Records an asynchronous error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...) and wakes everyone who
     * waits on the socket, so that it is reported by the next call; with the lock held.
     */
    public void setError(int errno) {
        error = errno;
        wakeup(Poll.POLLERR | Poll.POLLIN | Poll.POLLOUT, true, true, true);
        if (isListening()) {
            wakeAccept();
        }
    }

    /** Returns and clears the pending error, as {@code SO_ERROR} and the syscalls report it. */
    public int takeError() {
        int e = error;
        error = 0;
        return e;
    }

    /** {@code SO_LINGER} time in seconds, -1 when off. */
    public int linger() {
        return (options & SocketDefs.SO_LINGER) != 0 ? linger : -1;
    }

    void setLinger(int seconds) {
        linger = seconds;
    }

    /** The poll waiters of this socket, woken on every change that may make it ready. */
    public SelInfo selinfo() {
        return sel;
    }

    /**
     * Installs (or with null removes) the kernel consumer's hook; see {@link SoUpcall}. A protocol that
     * may leave arriving data to its readers is told ({@link Protosw#rcvsync}) so that the upcall
     * fires for what arrives from now on; the socket lock is taken for that unless the caller holds it.
     */
    public void setUpcall(SoUpcall u) {
        upcall = u;
        if (u == null) {
            return;
        }
        KMutex m = lock;
        boolean take = !m.owned();
        if (take) {
            m.enter();
        }
        try {
            if (pcb != null) {
                proto.rcvsync(this, true);
            }
        } finally {
            if (take) {
                m.exit();
            }
        }
    }

    public SoUpcall upcall() {
        return upcall;
    }

    /**
     * Installs (or with null removes) a kernel consumer's say over this listening socket's new
     * connections ({@link SoAcceptHook}); it applies to connections completed from now on.
     */
    public void setAcceptHook(SoAcceptHook h) {
        acceptHook = h;
    }

    public SoAcceptHook acceptHook() {
        return acceptHook;
    }

    /** Whether a kernel consumer holds this connection back from {@code accept}; lock held. */
    public boolean kernelHeld() {
        return kernelHeld;
    }

    void setKernelHeld(boolean b) {
        kernelHeld = b;
    }

    /**
     * Puts this held connection on its listener's complete queue, as if it had just completed, with its
     * receive buffer intact, and wakes {@code accept}, the listener's pollers and its upcall. Returns 0;
     * EINVAL if it is not held; ECONNABORTED if the connection is gone, or if the listener is gone or
     * closing, in which case the connection is reset (RST) and freed. Takes this socket's lock unless the
     * caller holds it (an upcall on it may release it), then the listen-queue lock; never the
     * listener's lock, so that it may be called from any kernel thread or softint that holds no other
     * socket's lock but the listener's.
     */
    public int releaseToAccept() {
        return SoHold.release(this);
    }

    /**
     * A kernel consumer's close of a socket that has no descriptor (a held connection, or a socket it
     * made): as a user's {@code close(2)} on a non-blocking descriptor, the connection ends gracefully
     * (TCP sends its FIN after the queued data) and the protocol frees the socket when done. Takes the
     * lock unless the caller holds it.
     */
    public void closeByKernel() {
        SoHold.close(this, false);
    }

    /** As {@link #closeByKernel()}, but abortive: queued data is dropped and TCP sends a RST. */
    public void abortByKernel() {
        SoHold.close(this, true);
    }

    /**
     * Sends a stream chain with the lock held (from an upcall), never sleeping: 0, or EPIPE, ENOTCONN,
     * the pending error, or the protocol's; the chain is consumed either way. The caller checks
     * {@code snd.space()} first. See {@link SoLocked}.
     */
    public int sendLocked(Mbuf chain) {
        return SoLocked.send(this, chain);
    }

    /**
     * Takes up to {@code max} received bytes as a chain the caller frees, null if none, with the lock
     * held; the protocol is told (TCP's window update). See {@link SoLocked}.
     */
    public Mbuf receiveLocked(int max) {
        return SoLocked.receive(this, max);
    }

    /**
     * Copies up to {@code len} received bytes from {@code off} into {@code dst} without taking them, with
     * the lock held; the count copied. See {@link SoLocked}.
     */
    public int peekLocked(int off, byte[] dst, int dstOff, int len) {
        return SoLocked.peek(this, off, dst, dstOff, len);
    }

    /** Whether the socket is gone: detached from its protocol and its buffers released. */
    public boolean isFreed() {
        return freed;
    }

    /**
     * Sets both buffers' high-water marks ({@code soreserve}), with BSD's default low-water marks (1 byte
     * to read, a cluster of space to write). ENOBUFS if either exceeds {@code kern.sbmax}.
     */
    public void reserve(int sndBytes, int rcvBytes) throws ErrnoException {
        if (!snd.reserve(sndBytes) || !rcv.reserve(rcvBytes)) {
            throw new ErrnoException(Errno.ENOBUFS, "socket buffers " + sndBytes + "/" + rcvBytes
                    + " exceed kern.sbmax " + sockets.sbmax());
        }
        if (rcv.lowat() == 0) {
            rcv.setLowat(1);
        }
        if (snd.lowat() == 0) {
            snd.setLowat(io.jrump.rumpnet.mbuf.Mbuf.MCLBYTES);
        }
    }

    private void assertLocked() {
        if (!lock.owned()) {
            throw new IllegalStateException("socket lock not held");
        }
    }

    /**
     * Wakes sleepers and pollers and fires the upcall. {@code rd}/{@code wr} pick the buffers whose
     * sleepers wake; {@code conn} also wakes those waiting for a connection state change.
     */
    private void wakeup(int events, boolean rd, boolean wr, boolean conn) {
        assertLocked();
        if (rd) {
            rcv.wakeSleepers();
            proto.rcvwakeup(this);
        }
        if (wr) {
            snd.wakeSleepers();
        }
        if (conn) {
            cv.broadcast();
        }
        sel.notifyAll(events);
        fireUpcall(this, events);
    }

    /**
     * Runs {@code s}'s upcall. A consumer's bug must not break the protocol input that fired it, so an
     * exception is logged and the event otherwise ignored.
     */
    private static void fireUpcall(Socket s, int events) {
        SoUpcall u = s.upcall;
        if (u == null) {
            return;
        }
        boolean outer = !s.inUpcall && s.lock.owned();
        if (outer) {
            s.inUpcall = true;
        }
        try {
            u.upcall(s, events);
        } catch (RuntimeException e) {
            s.kernel().log("socket " + s.id + ": upcall failed: " + e);
        } finally {
            if (outer) {
                s.inUpcall = false;
                if (s.rcvdOwed) {
                    s.rcvdOwed = false;
                    SoLocked.rcvd(s);
                }
            }
        }
    }

    /**
     * Whether {@link #receiveLocked} should leave telling the protocol to the end of the upcall that runs
     * now; if so, notes that it is owed. A consumer that answers a request from the data-arrival upcall
     * then sends its answer before TCP runs output for the read, so the answer carries the ACK instead
     * of following a pure ACK. Lock held.
     */
    boolean deferRcvd() {
        if (inUpcall) {
            rcvdOwed = true;
            return true;
        }
        return false;
    }

    /** Data or end of input arrived ({@code sorwakeup}); the protocol calls it after appending, lock held. */
    public void sorwakeup() {
        wakeup(Poll.POLLIN, true, false, false);
    }

    /** Space appeared in the send buffer ({@code sowwakeup}), lock held. */
    public void sowwakeup() {
        wakeup(Poll.POLLOUT, false, true, false);
    }

    /** {@code soisconnecting}: a connection is being set up. */
    public void soisconnecting() {
        state = (state & ~(SS_ISCONNECTED | SS_ISDISCONNECTING)) | SS_ISCONNECTING;
    }

    /**
     * {@code soisconnected}: the connection is up. A queued connection of a listening socket moves from
     * its incomplete to its complete queue, which wakes {@code accept}; the listener's pollers and upcall
     * are told with this socket's lock held, not the listener's. Otherwise the waiting {@code connect}
     * and the socket's pollers wake.
     */
    public void soisconnected() {
        state = (state & ~(SS_ISCONNECTING | SS_ISDISCONNECTING | SS_ISCONFIRMING)) | SS_ISCONNECTED;
        Socket h = head;
        ListenQueue q = h == null ? null : h.lq;
        if (q != null && SoHold.offer(h, q, this)) {
            return;
        }
        if (q != null && q.complete(this)) {
            notifyListener(h);
            return;
        }
        wakeup(Poll.POLLOUT | Poll.POLLIN, true, true, true);
    }

    /** Tells the listener {@code h}'s pollers and upcall of a connection to accept, without its lock. */
    void notifyListener(Socket h) {
        h.sel.notifyAll(Poll.POLLIN);
        fireUpcall(h, Poll.POLLIN);
    }

    /** {@code soisdisconnecting}: closing has begun; neither direction carries new data. */
    public void soisdisconnecting() {
        state = (state & ~SS_ISCONNECTING) | SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
        wakeup(Poll.POLLIN | Poll.POLLOUT, true, true, true);
    }

    /** {@code soisdisconnected}: the connection is gone; queued input stays readable. */
    public void soisdisconnected() {
        state = (state & ~(SS_ISCONNECTING | SS_ISCONNECTED | SS_ISDISCONNECTING))
                | SS_CANTRCVMORE | SS_CANTSENDMORE | SS_ISDISCONNECTED;
        wakeup(Poll.POLLIN | Poll.POLLOUT | Poll.POLLHUP, true, true, true);
    }

    /** The protocol's notice that a connection is being set up; same as {@link #soisconnecting()}. */
    public void isConnecting() {
        soisconnecting();
    }

    /** The protocol's notice that the connection is up; same as {@link #soisconnected()}. */
    public void isConnected() {
        soisconnected();
    }

    /** The protocol's notice that closing has begun; same as {@link #soisdisconnecting()}. */
    public void isDisconnecting() {
        soisdisconnecting();
    }

    /** The protocol's notice that the connection is gone; same as {@link #soisdisconnected()}. */
    public void isDisconnected() {
        soisdisconnected();
    }

    /** {@code socantsendmore}: the write side is closed (shutdown, or the peer reset). */
    public void cantSendMore() {
        state |= SS_CANTSENDMORE;
        wakeup(Poll.POLLOUT, false, true, false);
    }

    /** {@code socantrcvmore}: no more input will come (the peer's FIN); reads drain then return 0. */
    public void cantRcvMore() {
        state |= SS_CANTRCVMORE;
        wakeup(Poll.POLLIN, true, false, false);
        if (isListening()) {
            wakeAccept();
        }
    }

    /** Same as {@link #cantSendMore()}. */
    public void socantsendmore() {
        cantSendMore();
    }

    /** Same as {@link #cantRcvMore()}. */
    public void socantrcvmore() {
        cantRcvMore();
    }

    /** Sleeps on the socket's connection state ({@code so_cv}), lock held: 0, EWOULDBLOCK or EINTR. */
    int awaitState(long deadlineNanos) {
        return cv.awaitSigUntil(lock, deadlineNanos);
    }

    // ---- listening ----

    /** Whether {@code listen(2)} was called ({@code SO_ACCEPTCONN}). */
    public boolean isListening() {
        return (options & SocketDefs.SO_ACCEPTCONN) != 0;
    }

    /** The listening socket this one is queued on, null once accepted or if never queued. */
    public Socket head() {
        return head;
    }

    void clearHead() {
        head = null;
    }

    /** Completed connections waiting for {@code accept}. */
    public int qlen() {
        ListenQueue q = lq;
        return q == null ? 0 : q.qlen();
    }

    /** Completed connections a kernel consumer holds back from {@code accept} ({@link SoAcceptHook}). */
    public int heldLen() {
        ListenQueue q = lq;
        return q == null ? 0 : q.heldLen();
    }

    /** Connections begun but not completed. */
    public int q0len() {
        ListenQueue q = lq;
        return q == null ? 0 : q.q0len();
    }

    /** The queue limit: the {@code listen(2)} backlog capped at {@code kern.somaxconn}. */
    public int qlimit() {
        ListenQueue q = lq;
        return q == null ? 0 : q.limit();
    }

    /**
     * Whether a listener's queue is full as {@code sonewconn} judges it: Lazy Receiver
     * Processing stops processing such a listener's channel, so that further SYNs are dropped there
     * (seed 003), until {@code accept} makes room.
     */
    public boolean backlogFull() {
        ListenQueue q = lq;
        return q != null && q.full();
    }

    /** Connections refused because the queue was full. */
    public long listenDrops() {
        ListenQueue q = lq;
        return q == null ? 0 : q.drops();
    }

    ListenQueue listenQueue() {
        return lq;
    }

    /** Makes the socket a listener with a queue limit (lock held); {@code limit} already capped. */
    void startListening(int limit) {
        assertLocked();
        if (lq == null) {
            lq = new ListenQueue(this, kernel());
        }
        lq.setLimit(limit);
        options |= SocketDefs.SO_ACCEPTCONN;
    }

    /**
     * Whether another connection would overflow the queue: more than one and a half times the limit
     * queued, counting both queues, as NetBSD's {@code sonewconn} allows. A protocol checks it to drop an
     * incoming connection request before doing any work for it (LRP, seed 003), and counts that with
     * {@link #countListenDrop()}.
     */
    public boolean listenQueueFull() {
        ListenQueue q = lq;
        return q != null && q.full();
    }

    /** Counts a connection request a protocol dropped because {@link #listenQueueFull()}. */
    public void countListenDrop() {
        ListenQueue q = lq;
        if (q != null) {
            q.countDrop();
        }
        sockets.countListenDrop();
    }

    /**
     * {@code sonewconn}: a socket for a connection arriving at the listening socket {@code head}, with the
     * same protocol (attached with protocol 0), the listener's options, buffer limits and timeouts, on
     * the incomplete queue; the protocol calls {@link #soisconnected()} on it once it is established.
     * Null if the queue is full (counted) or the protocol refused to attach. The caller holds
     * {@code head.lock()}.
     */
    public static Socket sonewconn(Socket head) {
        return sonewconn(head, false);
    }

    /**
     * {@code sonewconn} for a connection that is already established ({@code soready}, as a SYN cache
     * completing the handshake makes it): the new socket goes straight to the complete queue, unless the
     * listener's {@link SoAcceptHook} holds it (called here without the new socket's lock, which nobody
     * else can see yet).
     */
    public static Socket sonewconn(Socket head, boolean connected) {
        head.assertLocked();
        ListenQueue q = head.lq;
        if (q == null || !head.isListening() || head.freed) {
            return null;
        }
        if (!q.admits()) {
            head.countListenDrop();
            return null;
        }
        Socket so;
        try {
            so = new Socket(head.sockets, head.domain, head.proto, head.cred, head.pid);
        } catch (ErrnoException e) {
            return null;
        }
        so.options = head.options & ~SocketDefs.SO_ACCEPTCONN;
        so.linger = head.linger;
        so.state = SS_NOFDREF | (connected ? SS_ISCONNECTED : 0);
        so.snd.reserve(head.snd.hiwat());
        so.rcv.reserve(head.rcv.hiwat());
        so.snd.setAutosize(head.snd.autosize());
        so.rcv.setAutosize(head.rcv.autosize());
        so.snd.setLowat(head.snd.lowat());
        so.rcv.setLowat(head.rcv.lowat());
        so.snd.setTimeoutMs(head.snd.timeoutMs());
        so.rcv.setTimeoutMs(head.rcv.timeoutMs());
        so.head = head;
        try {
            head.proto.attach(so, 0);
        } catch (ErrnoException | RuntimeException e) {
            so.head = null;
            so.pcb = null;
            so.discard();
            return null;
        }
        so.born();
        head.sockets.add(so);
        q.insert(so, ListenQueue.INCOMPLETE);
        if (connected && !SoHold.offer(head, q, so) && q.complete(so)) {
            head.wakeup(Poll.POLLIN, false, false, false);
        }
        return so;
    }

    private void wakeAccept() {
        ListenQueue q = lq;
        if (q != null) {
            q.wakeup();
        }
    }

    /**
     * {@code sofree}: frees the socket once no descriptor refers to it ({@code SS_NOFDREF}) and the
     * protocol has let go of it (no pcb); otherwise does nothing. A connection still incomplete on a
     * listener's queue leaves it; a completed one stays for {@code accept}, which reports ECONNABORTED.
     * Lock held.
     */
    public void sofree() {
        assertLocked();
        if (pcb != null || (state & SS_NOFDREF) == 0 || freed) {
            return;
        }
        Socket h = head;
        ListenQueue q = h == null ? null : h.lq;
        if (q != null && !q.removeUnlessComplete(this)) {
            return;
        }
        discard();
        sockets.remove(this);
    }

    /** Frees the socket whatever holds it: the network core is going away (component detach at halt). */
    void forceFree() {
        lock.enter();
        try {
            pcb = null;
            head = null;
            discard();
            sockets.remove(this);
        } finally {
            lock.exit();
        }
    }

    private void discard() {
        if (!freed) {
            freed = true;
            sockets.kernel().kmem().free(sockets.kmemType(), KMEM_BYTES);
        }
        snd.release();
        rcv.release();
        channel.close(mbufs());
    }

    @Override
    public String toString() {
        return "socket " + id + " (" + domain.name() + " type " + type + " proto " + proto.protocol()
                + " state 0x" + Integer.toHexString(state) + ")";
    }
}
