package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.hypercall.sp.SpUrl;
import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperThread;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class RumpServer implements AutoCloseable {
    private final Kernel kernel;
    private final Listener listener;
    private final ArgCodecs codecs;
    private final Consumer<String> log;
    private final int maxInflight;
    private final int maxConnections;
    private final ForkCookies forkCookies;
    private final HyperClock clock;
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
            if (closed || connections.size() >= maxConnections) {
                if (!closed) {
                    log("refusing " + a.peer() + ": " + maxConnections + " clients are connected");
                }
                try {
                    a.channel().close();
                } catch (IOException ignored) {
                    // the refused client sees its connection end either way
                }
                continue;
            }
            ServerConnection c = new ServerConnection(this, a, nextConnection.getAndIncrement());
            connections.add(c);
            c.start();
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
