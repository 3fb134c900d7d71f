package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.BufferMeter;
import io.jrump.kern.syscall.sp.Inbound;
import io.jrump.kern.syscall.sp.InboundDecoder;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.WireWriter;
import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.sp.HostSocket;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.Syscall;
import io.jrump.kern.syscall.SyscallRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One client connection, which is one process of the kernel, and the server threads that serve it.
 *
 * <p>The threads follow a leader/follower scheme, as NetBSD's {@code rumpuser_sp} gives every request a
 * worker: one thread at a time reads the connection; having read a request that may sleep, it hands
 * the reading to an idle thread of the connection (or starts one) and runs the call itself, so a client
 * can have many lwps blocked at once and their replies go out in whatever order the calls finish. A
 * request that never sleeps ({@link #neverSleeps}) is run by the reader without a hand-off. At most
 * {@code maxInflight} calls run at once; one more is answered EAGAIN without running. Idle threads beyond
 * two end, so a connection's threads follow its concurrency.
 *
 * <p>The connection ends when the client closes it, when it sends a frame that breaks the protocol
 * (logged, with the reason), when it misses a deadline the server's reaper enforces (the handshake
 * within the handshake timeout; no stall inside a frame, or in front of an unread reply, past the
 * stall timeout), when the server needs its slot for another while it stalls, or when the server
 * closes. Ending it ends the process: the kernel wakes
 * its sleeping lwps with EINTR and closes its descriptors; the threads then drain, and the last one out
 * closes the socket, so no write can reach a descriptor number the host has since reused.
 */
final class ServerConnection {
    private static final int MAX_IDLE = 2;
    /** "Not now" for the stall times, which are readings of the kernel's clock (any long). */
    private static final long NONE = Long.MIN_VALUE;
    private final RumpServer server;
    private final Kernel kernel;
    private final HostSocket ch;
    private final Cred cred;
    private final String peer;
    private final int id;
    private final int maxThreads;
    private final InboundDecoder decoder;
    private final ServerBuffers.Connection buffers;
    private final long acceptedAt;
    /** Since when reading has waited inside a frame, or {@link #NONE}. */
    private volatile long midFrameSince = NONE;
    /** Since when a reply has been being written, or {@link #NONE}. */
    private volatile long writingSince = NONE;
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private int threads;
    private int threadSeq;
    private int idle;
    /** Threads counted in {@link #threads} and started, that have not yet begun to run. */
    private int starting;
    private boolean reading;
    private boolean closed;
    private boolean bannerSent;
    private volatile Proc proc;
    private volatile String progname = "-";

    ServerConnection(RumpServer server, Accepted a, int id, long acceptedAt) {
        this.server = server;
        this.kernel = server.kernel();
        this.ch = a.channel();
        this.cred = a.cred();
        this.peer = a.peer();
        this.id = id;
        this.maxThreads = server.maxInflight() + 1;
        this.acceptedAt = acceptedAt;
        this.buffers = server.buffers().connection();
        FrameReader frames = FrameReader.requests(ch, buffers);
        frames.watch(new FrameReader.Watch() {
            @Override
            public void midFrame() {
                long now = server.clock().monotonicNanos();
                midFrameSince = now;
                server.reapBy(now + server.stallTimeoutNanos());
            }

            @Override
            public void frameDone() {
                midFrameSince = NONE;
            }
        });
        this.decoder = new InboundDecoder(frames, server.codecs());
    }

    Proc proc() {
        return proc;
    }

    /** The connection's number, in the order the server accepted them. */
    int id() {
        return id;
    }

    /** Whether reading waits inside a frame. */
    boolean midFrame() {
        return midFrameSince != NONE;
    }

    /** Whether the client has completed its handshake: it is a process. */
    boolean established() {
        return proc != null;
    }

    boolean ended() {
        return isClosed();
    }

    /**
     * Since when the connection has kept a slot without working, for the choice of which gives way to a
     * new one: when it was accepted if it has not completed its handshake; since when it has stalled
     * inside a frame or a reply if that has lasted a while (a working client is inside one briefly);
     * {@link Long#MAX_VALUE} if it is working or idle between calls, which keeps its slot.
     */
    long stalledSince(long now) {
        if (isClosed()) {
            return Long.MAX_VALUE;
        }
        if (proc == null) {
            return acceptedAt;
        }
        long since = Math.min(at(midFrameSince), at(writingSince));
        long grace = Math.min(TimeUnit.SECONDS.toNanos(1), server.stallTimeoutNanos() / 2);
        return since != Long.MAX_VALUE && now - since >= grace ? since : Long.MAX_VALUE;
    }

    private static long at(long since) {
        return since == NONE ? Long.MAX_VALUE : since;
    }

    /** When the reaper must end this connection unless it makes progress; {@link Long#MAX_VALUE}: never. */
    long deadline() {
        if (isClosed()) {
            return Long.MAX_VALUE;
        }
        long d = proc == null ? acceptedAt + server.handshakeTimeoutNanos() : Long.MAX_VALUE;
        long m = midFrameSince;
        if (m != NONE) {
            d = Math.min(d, m + server.stallTimeoutNanos());
        }
        long w = writingSince;
        if (w != NONE) {
            d = Math.min(d, w + server.stallTimeoutNanos());
        }
        return d;
    }

    /**
     * Ends the connection for missing {@link #deadline()}; a connection that never became a process is
     * ended without a log line (a port scan is not news). False if it had ended already.
     */
    boolean timeOut(long now) {
        if (isClosed()) {
            return false;
        }
        String why = null;
        if (proc != null) {
            long secs = TimeUnit.NANOSECONDS.toSeconds(server.stallTimeoutNanos());
            why = at(midFrameSince) <= at(writingSince) ? "stalled inside a frame for " + secs + " s"
                    : "left a reply unread for " + secs + " s";
        }
        end(why);
        return true;
    }

    /** What {@link RumpServer#clients()} lists; null before the handshake. */
    ClientInfo info() {
        Proc p = proc;
        return p == null ? null : new ClientInfo(p.pid(), progname, peer, cred);
    }

    void start() {
        server.reapBy(acceptedAt + server.handshakeTimeoutNanos());
        synchronized (lock) {
            threads++;
            starting++;
        }
        startCounted();
    }

    /** Starts a thread already counted in {@link #threads}. */
    private void startCounted() {
        int n;
        synchronized (lock) {
            n = ++threadSeq;
        }
        try {
            server.startThread("c" + id + "." + n, this::work);
        } catch (RuntimeException | OutOfMemoryError e) {
            synchronized (lock) {
                starting--;
            }
            end("cannot start a server thread: " + e);
            threadDone();
        }
    }

    /** The per-thread state: the decoded frame, its argument buffers and the reply being built. */
    private static final class Worker {
        /** Bytes of buffers a worker keeps between calls; what one big call grew past this is given back. */
        static final int RETAIN = 64 << 10;
        final Inbound in;
        final WireWriter out;
        Proc bound;

        Worker(BufferMeter meter) {
            in = new Inbound(meter);
            out = new WireWriter(512, MAX_REPLY, meter);
        }

        void trim() {
            in.trim(RETAIN);
            out.trim(RETAIN);
        }

        void release() {
            in.release();
            out.release();
        }
    }

    private void work() {
        synchronized (lock) {
            starting--;
        }
        Worker w = null;
        try {
            w = new Worker(buffers);
            serve(w);
        } catch (Throwable t) {
            end("server error: " + t);
        } finally {
            if (w != null) {
                w.release();
            }
            threadDone();
        }
    }

    private void serve(Worker w) {
        if (firstThread() && !send(ByteBuffer.allocateDirect(banner().length).put(banner()).flip())) {
            return;
        }
        boolean reader = false;
        for (;;) {
            if (!reader && !becomeReader()) {
                return;
            }
            reader = true;
            int type = readFrame(w);
            if (type < 0) {
                return;
            }
            if (type != T_SYSCALL || neverSleeps(w.in.sysno)) {
                if (!handle(w)) {
                    return;
                }
                continue;
            }
            int handoff = handOffReading();
            if (handoff == OVER_LIMIT) {
                if (!fail(w, Errno.EAGAIN, "more than " + server.maxInflight() + " calls in flight on one connection")) {
                    return;
                }
                continue;
            }
            reader = false;
            if (handoff == START_READER) {
                startCounted();
            }
            if (!handle(w)) {
                return;
            }
        }
    }

    /**
     * Whether the table marks the call as one that never sleeps ({@link Syscall#sleeps()}): the reader
     * runs it itself, since handing the reading on first would only add a thread wake-up to the round
     * trip that {@code bench/run sysproxy-rtt} measures.
     */
    private static boolean neverSleeps(int sysno) {
        SyscallRow r = SyscallRow.of(sysno);
        return r != null && !r.sleeps();
    }

    private boolean firstThread() {
        synchronized (lock) {
            boolean first = !bannerSent;
            bannerSent = true;
            return first;
        }
    }

    /** Waits, idle, to be the connection's reader; false if this thread should end instead. */
    private boolean becomeReader() {
        synchronized (lock) {
            while (reading && !closed) {
                if (idle >= MAX_IDLE) {
                    return false;
                }
                idle++;
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    idle--;
                }
            }
            if (closed) {
                return false;
            }
            reading = true;
            return true;
        }
    }

    /** Reads and decodes the next frame into the worker's {@link Inbound}; -1 once the connection is over. */
    private int readFrame(Worker w) {
        try {
            int type = decoder.next(w.in);
            if (type < 0) {
                end(null);
            }
            return type;
        } catch (ProtocolException e) {
            end("protocol error: " + e.getMessage());
        } catch (IOException e) {
            end(lost(e));
        }
        return -1;
    }

    private static final int WAKE_READER = 0;
    private static final int START_READER = 1;
    private static final int OVER_LIMIT = 2;

    /**
     * Before a call that may sleep: passes the reading on to an idle thread ({@link #WAKE_READER}) or to
     * a new one, already counted, that the caller must start ({@link #START_READER}); or, with every
     * allowed thread busy, keeps it ({@link #OVER_LIMIT}) and the call is refused.
     */
    private int handOffReading() {
        synchronized (lock) {
            if (idle > 0) {
                reading = false;
                lock.notify();
                return WAKE_READER;
            }
            if (starting > 0) {
                // a thread started for an earlier call has not yet run: it will take the reading, so a
                // slow thread start on a loaded host does not make every further call start another
                reading = false;
                return WAKE_READER;
            }
            if (threads >= maxThreads) {
                return OVER_LIMIT;
            }
            reading = false;
            threads++;
            starting++;
            return START_READER;
        }
    }

    /** Runs one decoded frame and sends its reply; false once the connection is over. */
    private boolean handle(Worker w) {
        Inbound in = w.in;
        switch (in.type) {
            case T_HANDSHAKE:
                return handshake(w);
            case T_PREFORK:
                if (proc == null) {
                    end("protocol error: prefork before the handshake");
                    return false;
                }
                return reply(w, () -> ReplyFrame.writeOk(w.out, in.reqno, 0, server.forkCookies().issue(this),
                        server.codecs()));
            default:
                return syscall(w);
        }
    }

    private interface ReplyBuilder {
        void build() throws ProtocolException;
    }

    private boolean reply(Worker w, ReplyBuilder b) {
        try {
            b.build();
        } catch (ProtocolException e) {
            ReplyFrame.writeError(w.out, w.in.reqno, e.errno(), "reply cannot be sent: " + e.getMessage());
        }
        boolean sent = send(w.out.finish());
        w.trim();
        return sent;
    }

    private boolean fail(Worker w, int errno, String detail) {
        ReplyFrame.writeError(w.out, w.in.reqno, errno, detail);
        boolean sent = send(w.out.finish());
        w.trim();
        return sent;
    }

    private boolean handshake(Worker w) {
        Inbound in = w.in;
        if (in.version != VERSION) {
            fail(w, Errno.ENOTSUP, "this server speaks sysproxy protocol version " + VERSION + ", the client "
                    + in.version);
            end("client speaks protocol version " + in.version + ", not " + VERSION);
            return false;
        }
        Proc p = proc;
        if (in.kind == HS_EXEC) {
            if (p == null) {
                end("protocol error: exec before the handshake");
                return false;
            }
            progname = in.progname;
            p.files().closeOnExec(p);
            return reply(w, () -> ReplyFrame.writeOk(w.out, in.reqno, p.pid(), null, server.codecs()));
        }
        if (p != null) {
            end("protocol error: a second handshake");
            return false;
        }
        if (kernel.halting()) {
            fail(w, Errno.ESHUTDOWN, "the kernel is halting");
            end(null);
            return false;
        }
        Proc np;
        try {
            np = newProcess(w, in);
        } catch (ErrnoException e) {
            fail(w, e.errno(), e.getMessage());
            end("no process for the client: " + e.getMessage());
            return false;
        }
        if (np == null) {
            return false;
        }
        synchronized (lock) {
            if (!closed) {
                proc = np;
            }
        }
        if (proc != np) {
            kernel.exitProcess(np);
            return false;
        }
        progname = in.progname;
        bind(w, np);
        return reply(w, () -> ReplyFrame.writeOk(w.out, in.reqno, np.pid(), null, server.codecs()));
    }

    /**
     * The client's process: a new one, or a fork of the process whose cookie it presents. Both are
     * charged to kernel memory, so past the limit the client is told ENOMEM at connect; null (with the
     * connection ended) for an unknown cookie.
     */
    private Proc newProcess(Worker w, Inbound in) throws ErrnoException {
        if (in.kind == HS_NEW) {
            return kernel.createProcess(in.progname, cred);
        }
        ServerConnection parent = server.forkCookies().take(in.cookie);
        Proc pp = parent == null ? null : parent.proc;
        if (pp == null || pp.exiting() || kernel.proc(pp.pid()) != pp) {
            fail(w, Errno.ESRCH, "no process to fork: the cookie is unknown, used, or its process has exited");
            end("fork with an unknown cookie");
            return null;
        }
        return kernel.forkProcess(pp, in.progname);
    }

    /**
     * Gives this thread its lwp of the process before it runs anything for it, so that an exit that
     * comes later finds the lwp and kills it; checking {@link Proc#exiting()} after this covers an exit
     * that came first.
     */
    private void bind(Worker w, Proc p) {
        if (w.bound != p) {
            try {
                p.syscalls().getpid();
            } catch (ErrnoException e) {
                throw new IllegalStateException("getpid failed: " + e.getMessage(), e);
            }
            w.bound = p;
        }
    }

    private boolean syscall(Worker w) {
        Inbound in = w.in;
        Proc p = proc;
        if (p == null) {
            end("protocol error: syscall " + in.sysno + " before the handshake");
            return false;
        }
        bind(w, p);
        if (p.exiting()) {
            return fail(w, Errno.EINTR, "the process is exiting");
        }
        if (in.argError != null) {
            return fail(w, in.argErrno, in.argError);
        }
        long ret;
        try {
            ret = p.syscalls().syscall(in.sysno, in.args);
        } catch (ErrnoException e) {
            return fail(w, e.errno(), detail(e));
        } catch (RuntimeException e) {
            server.log(describe() + ": syscall " + in.sysno + " threw " + e);
            return fail(w, Errno.EFAULT, "syscall " + in.sysno + " cannot use these arguments: " + e);
        }
        return reply(w, () -> ReplyFrame.writeOk(w.out, in, ret, server.codecs()));
    }

    /** The kernel's detail text without the errno name {@link ErrnoException} puts in front of it. */
    static String detail(ErrnoException e) {
        String m = e.getMessage();
        String name = Errno.name(e.errno());
        if (m == null || m.equals(name + " (" + Errno.message(e.errno()) + ")")) {
            return null;
        }
        return m.startsWith(name + ": ") ? m.substring(name.length() + 2) : m;
    }

    /**
     * Writes a frame whole. The time it started is kept while it lasts, so that the reaper ends a client
     * that leaves its replies unread past the stall timeout instead of holding this thread and the
     * reply's buffer for ever.
     */
    private boolean send(ByteBuffer b) {
        try {
            synchronized (writeLock) {
                long now = server.clock().monotonicNanos();
                writingSince = now;
                server.reapBy(now + server.stallTimeoutNanos());
                try {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                } finally {
                    writingSince = NONE;
                }
            }
            return true;
        } catch (IOException e) {
            end(lost(e));
            return false;
        }
    }

    /**
     * Why an I/O error ended the connection, or null if that is not worth a log line: the server closed
     * it, or the peer left before it was a process (a liveness probe, a port scan).
     */
    private String lost(IOException e) {
        return isClosed() || proc == null ? null : "connection lost: " + e.getMessage();
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Ends the connection and its process; {@code reason} is logged unless the end is an ordinary one. */
    void end(String reason) {
        Proc p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            p = proc;
            lock.notifyAll();
        }
        if (reason != null) {
            server.log(describe() + ": " + reason + "; connection closed");
        }
        server.forkCookies().drop(this);
        if (p != null && kernel.proc(p.pid()) == p) {
            kernel.exitProcess(p);
        }
        ch.shutdown();
    }

    private void threadDone() {
        boolean last;
        synchronized (lock) {
            threads--;
            last = threads == 0;
            if (last && !closed) {
                closed = true;
            }
        }
        if (last) {
            Proc p = proc;
            if (p != null && kernel.proc(p.pid()) == p) {
                kernel.exitProcess(p);
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to do for a socket that will not close
            }
            buffers.releaseAll();
            server.connectionEnded(this);
        }
    }

    String describe() {
        Proc p = proc;
        return (p == null ? "client" : "pid " + p.pid() + " (" + progname + ")") + " from " + peer + " as " + cred;
    }
}
