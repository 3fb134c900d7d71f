package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.hypercall.sp.SpUrl;
import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperThread;
import io.jrump.hypercall.HyperTimer;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Serves one kernel's syscalls to remote clients ({@code rump_server}'s engine, NetBSD's
 * {@code rumpuser_sp}): it listens on {@code unix://PATH} or {@code tcp://ADDR:PORT}, makes every
 * connection a process of its own with the credentials {@link CredPolicy} gives it, and runs each
 * request through the kernel's numbered syscall table, as that process, on server threads. Its threads
 * are the hypercall layer's, named after the kernel, so the kernel's halt report lists any that outlive
 * it; the kernel's halt closes the server.
 *
 * <p>The transports are host code, reached through the hypercall layer's {@code sp} package
 * ({@code HostUnixListener}, {@code HostTcpListener}) as NetBSD's server lives in {@code librumpuser};
 * its threads, random bytes and clock are the kernel's hypercall ones too, so a kernel on a
 * {@code ManualClock} times this server's waits on that clock. A protocol error, a lost client or a
 * failing thread ends that one connection, logged with its reason; the server and the other clients go
 * on.
 *
 * <p>Anyone who can reach a {@code tcp://} port can connect, so connections cannot be trusted to
 * behave: a connection must complete its handshake within {@code handshakeTimeout} (10 s) and may not
 * stall inside a frame, or leave a reply unread, for longer than {@code stallTimeout} (30 s), both
 * timed on the kernel's clock; connections that have not completed the handshake take at most
 * {@code maxPending} of the {@code maxConnections} slots (half), and when slots run out the
 * connection stalled longest (not yet handshaken, or stuck in a frame) gives way to the new one, so
 * that idle and stalled peers cannot lock working clients out. Buffers grow with the bytes that
 * arrive, never to a size a peer merely announces, and are bounded per connection and in total (see
 * {@link #bufferBytes}). {@code sysproxy/PROTOCOL.md} lists the limits.
 */
public final class RumpServer implements AutoCloseable {
    private final Kernel kernel;
    private final Listener listener;
    private final ArgCodecs codecs;
    private final Consumer<String> log;
    private final int maxInflight;
    private final int maxConnections;
    private final int maxPending;
    private final long handshakeTimeoutNanos;
    private final long stallTimeoutNanos;
    private final ServerBuffers buffers;
    private final ForkCookies forkCookies;
    private final HyperClock clock;
    private final HyperTimer reaper;
    private final Object reaperLock = new Object();
    /** When the reaper is armed for; {@link Long#MAX_VALUE}: not armed. Written under {@link #reaperLock}. */
    private volatile long reaperDue = Long.MAX_VALUE;
    private final Object slotLock = new Object();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextConnection = new AtomicInteger(1);
    private final AtomicInteger liveThreads = new AtomicInteger();
    private final Set<HyperThread> handles = ConcurrentHashMap.newKeySet();
    private final Object closeLock = new Object();
    private final HyperThread acceptor;
    private volatile boolean closed;
    /** How long the acceptor waits after a failed accept before it tries again. */
    private static final long ACCEPT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long {@link #close} waits, on the kernel's clock, for the server's threads to end. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private RumpServer(Builder b, Listener listener) {
        this.kernel = b.kernel;
        this.clock = kernel.hypercall().clock();
        this.forkCookies = new ForkCookies(kernel.hypercall().random());
        this.listener = listener;
        this.codecs = b.codecs != null ? b.codecs : ArgCodecs.standard();
        this.log = b.log != null ? b.log : m -> kernel.hypercall().console().println("rump_server: " + m);
        this.maxInflight = b.maxInflight;
        this.maxConnections = b.maxConnections;
        this.maxPending = b.maxPending > 0 ? Math.min(b.maxPending, b.maxConnections) : Math.max(1, b.maxConnections / 2);
        this.handshakeTimeoutNanos = b.handshakeTimeoutNanos;
        this.stallTimeoutNanos = b.stallTimeoutNanos;
        this.buffers = new ServerBuffers(b.maxBufferBytes, b.maxConnectionBufferBytes);
        this.reaper = clock.newTimer(kernel.id() + "/sysproxy-reaper", this::reap);
        kernel.onHalt(this::close);
        this.acceptor = startThread("accept", this::acceptLoop);
    }

    /** Serves {@code kernel} on {@code url} with the standard codecs and credential policy. */
    public static RumpServer start(Kernel kernel, String url) throws IOException {
        return builder(kernel).url(url).start();
    }

    public static Builder builder(Kernel kernel) {
        return new Builder(kernel);
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The address clients connect to ({@code RUMP_SERVER}), with the port filled in for {@code tcp://...:0}. */
    public String url() {
        return listener.url().toString();
    }

    ArgCodecs codecs() {
        return codecs;
    }

    int maxInflight() {
        return maxInflight;
    }

    ForkCookies forkCookies() {
        return forkCookies;
    }

    HyperClock clock() {
        return clock;
    }

    long handshakeTimeoutNanos() {
        return handshakeTimeoutNanos;
    }

    long stallTimeoutNanos() {
        return stallTimeoutNanos;
    }

    ServerBuffers buffers() {
        return buffers;
    }

    /**
     * Bytes of buffers the server holds for all its connections now: frames being read, the buffers of
     * the calls it runs, the replies it writes.
     */
    public long bufferBytes() {
        return buffers.held();
    }

    /** Connections accepted so far, refused ones not counted (a probe for tests). */
    int acceptedCount() {
        return nextConnection.get() - 1;
    }

    /** Connections whose reading waits inside a frame now (a probe for tests). */
    int waitingInFrame() {
        int n = 0;
        for (ServerConnection c : connections) {
            if (c.midFrame()) {
                n++;
            }
        }
        return n;
    }

    /** Connections ended because they did not complete the handshake or stalled past the timeouts. */
    public long timedOutCount() {
        return timedOut.get();
    }

    /** Connections ended to make room for a new one when the slots ran out. */
    public long evictedCount() {
        return evicted.get();
    }

    void log(String message) {
        log.accept(message);
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Pids of the processes of the connected clients. */
    public List<Integer> clientPids() {
        List<Integer> l = new ArrayList<>();
        for (ServerConnection c : connections) {
            Proc p = c.proc();
            if (p != null) {
                l.add(p.pid());
            }
        }
        l.sort(null);
        return l;
    }

    /** The connected clients that have a process, by pid. */
    public List<ClientInfo> clients() {
        List<ClientInfo> l = new ArrayList<>();
        for (ServerConnection c : connections) {
            ClientInfo i = c.info();
            if (i != null) {
                l.add(i);
            }
        }
        l.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return l;
    }

    /** Server threads alive now: the acceptor and every connection's. */
    public int threadCount() {
        return liveThreads.get();
    }

    public boolean closed() {
        return closed;
    }

    HyperThread startThread(String name, Runnable body) {
        handles.removeIf(h -> !h.alive());
        liveThreads.incrementAndGet();
        try {
            HyperThread t = kernel.hypercall().threads().create(kernel.id() + "/sysproxy-" + name, () -> {
                try {
                    body.run();
                } finally {
                    liveThreads.decrementAndGet();
                    synchronized (closeLock) {
                        closeLock.notifyAll();
                    }
                }
            });
            handles.add(t);
            return t;
        } catch (RuntimeException | Error e) {
            liveThreads.decrementAndGet();
            throw e;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Accepted a;
            try {
                a = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log("accept on " + url() + ": " + e.getMessage());
                if (!pause()) {
                    return;
                }
                continue;
            }
            if (a == null) {
                continue;
            }
            ServerConnection c = closed ? null : admit(a);
            if (c == null) {
                try {
                    a.channel().close();
                } catch (IOException ignored) {
                    // the refused client sees its connection end either way
                }
                continue;
            }
            c.start();
        }
    }

    /**
     * A slot for the connection just accepted, or null if every slot is held by a working client.
     * Connections that have not completed the handshake may take at most {@link #maxPending} slots; past
     * that, or when every slot is taken, the one stalled longest (waiting for its handshake, or stuck in
     * a frame or a reply) is ended to make room.
     */
    private ServerConnection admit(Accepted a) {
        synchronized (slotLock) {
            long now = clock.monotonicNanos();
            int live = 0;
            int pending = 0;
            ServerConnection oldestPending = null;
            ServerConnection mostStalled = null;
            for (ServerConnection c : connections) {
                if (c.ended()) {
                    continue;
                }
                live++;
                long since = c.stalledSince(now);
                if (since == Long.MAX_VALUE) {
                    continue;
                }
                if (!c.established()) {
                    pending++;
                    if (oldestPending == null || before(c, since, oldestPending, now)) {
                        oldestPending = c;
                    }
                }
                if (mostStalled == null || before(c, since, mostStalled, now)) {
                    mostStalled = c;
                }
            }
            ServerConnection victim = pending >= maxPending ? oldestPending : live >= maxConnections ? mostStalled : null;
            if (live >= maxConnections && victim == null) {
                log("refusing " + a.peer() + ": " + maxConnections + " clients are connected and working");
                return null;
            }
            if (victim != null) {
                evicted.incrementAndGet();
                victim.end(victim.established() ? "stalled while the server needed its slot" : null);
            }
            ServerConnection c = new ServerConnection(this, a, nextConnection.getAndIncrement(), now);
            connections.add(c);
            return c;
        }
    }

    /** Whether {@code c}, stalled since {@code since}, has stalled longer than {@code other}; the older connection on a tie. */
    private static boolean before(ServerConnection c, long since, ServerConnection other, long now) {
        long o = other.stalledSince(now);
        return since < o || since == o && c.id() < other.id();
    }

    /** Makes sure the reaper runs by {@code deadline} (on the kernel's clock). */
    void reapBy(long deadline) {
        if (deadline >= reaperDue) {
            return;
        }
        synchronized (reaperLock) {
            if (deadline < reaperDue && !closed) {
                reaperDue = deadline;
                reaper.arm(deadline);
            }
        }
    }

    /** The reaper's timer: ends the connections past a deadline, then waits for the next deadline. */
    private void reap() {
        synchronized (reaperLock) {
            reaperDue = Long.MAX_VALUE;
        }
        long now = clock.monotonicNanos();
        long next = Long.MAX_VALUE;
        for (ServerConnection c : connections) {
            long due = c.deadline();
            if (due <= now) {
                if (c.timeOut(now)) {
                    timedOut.incrementAndGet();
                }
            } else {
                next = Math.min(next, due);
            }
        }
        if (next != Long.MAX_VALUE) {
            reapBy(next);
        }
    }

    /** After a failed accept (out of descriptors, say): do not spin on it. False if woken to close. */
    private boolean pause() {
        try {
            clock.sleep(ACCEPT_RETRY_NANOS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    void connectionEnded(ServerConnection c) {
        connections.remove(c);
        synchronized (closeLock) {
            closeLock.notifyAll();
        }
    }

    /**
     * Stops accepting, ends every connection (and so every client process, waking their blocked lwps),
     * waits up to five seconds for the server's threads to end and removes the socket file. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            listener.wakeup();
        } catch (IOException e) {
            log("closing " + url() + ": " + e.getMessage());
        }
        acceptor.interrupt();
        reaper.close();
        try {
            if (!acceptor.join(CLOSE_WAIT_NANOS)) {
                log("the accepting thread of " + url() + " did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            listener.close();
        } catch (IOException e) {
            log("closing " + url() + ": " + e.getMessage());
        }
        for (ServerConnection c : connections) {
            c.end(null);
        }
        long deadline = clock.monotonicNanos() + CLOSE_WAIT_NANOS;
        try {
            awaitThreads(deadline);
            for (HyperThread t : handles) {
                while (t.alive() && clock.hostWaitNanos(deadline) > 0) {
                    t.join(clock.hostWaitNanos(deadline));
                }
                if (t.alive()) {
                    log("server thread " + t.name() + " of " + url() + " is still running");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until no server thread is left or the kernel's clock reaches {@code deadline}. */
    private void awaitThreads(long deadline) throws InterruptedException {
        synchronized (closeLock) {
            for (;;) {
                long wait = clock.hostWaitNanos(deadline);
                if (liveThreads.get() == 0 || wait <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(closeLock, wait);
            }
        }
    }

    /**
     * Waits until the server is closed (by {@link #close} or by the kernel halting) and its threads are
     * gone; the timeout runs on the kernel's clock.
     */
    public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = clock.monotonicNanos() + unit.toNanos(timeout);
        synchronized (closeLock) {
            for (;;) {
                if (closed && liveThreads.get() == 0) {
                    return true;
                }
                long wait = clock.hostWaitNanos(deadline);
                if (wait <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(closeLock, wait);
            }
        }
    }

    /** How to start a {@link RumpServer}. */
    public static final class Builder {
        private final Kernel kernel;
        private String url;
        private ArgCodecs codecs;
        private CredPolicy creds;
        private Consumer<String> log;
        private int maxInflight = 64;
        private int maxConnections = 1024;
        private int maxPending;
        private long handshakeTimeoutNanos = TimeUnit.SECONDS.toNanos(10);
        private long stallTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        private long maxBufferBytes = 256L << 20;
        private long maxConnectionBufferBytes = Protocol.MAX_TABLE + (16L << 20);

        private Builder(Kernel kernel) {
            this.kernel = kernel;
        }

        public Builder url(String u) {
            this.url = u;
            return this;
        }

        /** Argument classes the server can decode; {@link ArgCodecs#standard()} by default. */
        public Builder codecs(ArgCodecs c) {
            this.codecs = c;
            return this;
        }

        public Builder credPolicy(CredPolicy p) {
            this.creds = p;
            return this;
        }

        /** Where connection errors are reported; the kernel's console by default. */
        public Builder log(Consumer<String> l) {
            this.log = l;
            return this;
        }

        /** Calls that may run at once on one connection (lwps blocked at once), 1..1024. */
        public Builder maxInflight(int n) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("maxInflight must be 1..1024, not " + n);
            }
            this.maxInflight = n;
            return this;
        }

        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnections must be positive");
            }
            this.maxConnections = n;
            return this;
        }

        /** Slots that connections still before their handshake may take; half of maxConnections by default. */
        public Builder maxPending(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxPending must be positive");
            }
            this.maxPending = n;
            return this;
        }

        /** How long a new connection has to complete its handshake, on the kernel's clock (10 s). */
        public Builder handshakeTimeout(long time, TimeUnit unit) {
            this.handshakeTimeoutNanos = positive(unit.toNanos(time), "handshakeTimeout");
            return this;
        }

        /** How long a connection may stall inside a frame or leave a reply unread, on the kernel's clock (30 s). */
        public Builder stallTimeout(long time, TimeUnit unit) {
            this.stallTimeoutNanos = positive(unit.toNanos(time), "stallTimeout");
            return this;
        }

        /** Bytes of buffers the server may hold for all connections together (256 MiB). */
        public Builder maxBufferBytes(long n) {
            this.maxBufferBytes = positive(n, "maxBufferBytes");
            return this;
        }

        /** Bytes of buffers one connection may hold: a whole table read and some calls (80 MiB). */
        public Builder maxConnectionBufferBytes(long n) {
            this.maxConnectionBufferBytes = positive(n, "maxConnectionBufferBytes");
            return this;
        }

        private static long positive(long v, String what) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return v;
        }

        /**
         * Binds and starts accepting. A URL that is malformed is an IllegalArgumentException; one that is
         * in use or cannot be bound is an IOException saying so.
         */
        public RumpServer start() throws IOException {
            SpUrl u = SpUrl.parse(url);
            if (kernel.halting()) {
                throw new IOException("cannot serve a kernel that is halting");
            }
            CredPolicy p = creds != null ? creds : CredPolicy.standard();
            Listener l = u.unix() ? UnixListener.bind(u, p) : TcpListener.bind(u, p);
            try {
                return new RumpServer(this, l);
            } catch (RuntimeException | Error e) {
                l.close();
                throw e;
            }
        }
    }
}
