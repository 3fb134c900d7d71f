package io.jrump.examples.httpd;

import io.jrump.afpa.Afpa;
import io.jrump.afpa.http.HttpDate;
import io.jrump.afpa.http.HttpResponseHeader;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The user-level HTTP server on rump sockets: files under a document root in the kernel's VFS, read
 * with the file system calls ({@code open}, {@code fstat}, {@code pread}), over HTTP/1.0 and 1.1 with
 * keep-alive and pipelining, {@code HEAD}, {@code If-Modified-Since} (304) and a single {@code Range}
 * (206, 416). It parses and answers with the accelerator's own HTTP code ({@code io.jrump.afpa.http}:
 * the request parser, the response plan, the header writer, the error pages), so that a client sees the
 * same bytes whichever of the two served it. It is what an AFPA accelerator on the same port passes on: such a connection arrives as an
 * ordinary {@code accept}, possibly with request bytes already in its receive buffer, and is served as
 * any other. Alone, it is the user-level baseline the accelerator is measured against, so it is written
 * to be fast: one blocking thread per connection from a pool whose idle threads are reused, connection
 * buffers reused from a free list, a whole small response in one {@code write}.
 *
 * <p>It runs in the kernel's process through {@link Syscalls} and needs nothing else from it, so it
 * serves equally in the kernel's JVM or, through {@code RUMP_SERVER}, in another.
 */
public final class UserHttpd implements AutoCloseable {
    /**
     * The {@code Server} field: the accelerator's, since a client must not be able to tell which of the two
     * answered it.
     */
    public static final String SERVER = Afpa.SERVER;
    /**
     * An idle keep-alive connection is closed after this many seconds, unless the kernel's
     * {@code net.afpa.keepalive_timeout} says otherwise (the two servers announce and keep the same one).
     */
    public static final int IDLE_TIMEOUT = 15;
    /** How long, and how many bytes, a closing connection's further input is read and dropped. */
    static final int LINGER_MS = 2000;
    static final int LINGER_BYTES = 1 << 20;
    /** Connections served at once; beyond it a connection gets 503 and is closed. */
    static final int MAX_CONNECTIONS = 1024;

    final Syscalls sys;
    final String docroot;
    final HttpResponseHeader headers;
    final LongAdder requests = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final int listener;
    private final ThreadPoolExecutor pool;
    private final ConcurrentLinkedQueue<HttpConnection> free = new ConcurrentLinkedQueue<>();
    private final Set<Integer> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private final int idleTimeout;

    private UserHttpd(Syscalls sys, String docroot, int listener) {
        this.sys = sys;
        this.idleTimeout = idleTimeout(sys);
        this.headers = new HttpResponseHeader(SERVER, new HttpDate(), idleTimeout);
        this.docroot = docroot.endsWith("/") ? docroot.substring(0, docroot.length() - 1) : docroot;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "httpd-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "httpd-accept");
        acceptor.setDaemon(true);
    }

    /** Serves {@code docroot} (a path in the kernel's VFS) on TCP {@code port} of every address. */
    public static UserHttpd start(Syscalls sys, int port, String docroot) throws ErrnoException {
        return start(sys, SockAddr.in("0.0.0.0", port), docroot);
    }

    public static UserHttpd start(Syscalls sys, SockAddr bind, String docroot) throws ErrnoException {
        int l = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        try {
            sys.setsockopt(l, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            sys.bind(l, bind);
            sys.listen(l, 128);
        } catch (ErrnoException e) {
            sys.close(l);
            throw e;
        }
        UserHttpd h = new UserHttpd(sys, docroot, l);
        h.acceptor.start();
        return h;
    }

    private static int idleTimeout(Syscalls sys) {
        try {
            return Integer.parseInt(sys.sysctlRead("net.afpa.keepalive_timeout").trim());
        } catch (ErrnoException | NumberFormatException e) {
            return IDLE_TIMEOUT; // a kernel without the accelerator
        }
    }

    /** Requests answered (errors included). */
    public long requests() {
        return requests.sum();
    }

    /** Connections accepted. */
    public long connections() {
        return connections.sum();
    }

    /** The port the listener is bound to. */
    public int port() throws ErrnoException {
        SockAddr a = new SockAddr();
        sys.getsockname(listener, a);
        return a.port;
    }

    private void acceptLoop() {
        SockAddr peer = new SockAddr();
        while (!closed) {
            int c;
            try {
                c = sys.accept(listener, peer);
            } catch (ErrnoException e) {
                if (closed) {
                    return;
                }
                continue; // ECONNABORTED and the like: the next one
            }
            connections.increment();
            open.add(c);
            HttpConnection conn = free.poll();
            HttpConnection use = conn != null ? conn : new HttpConnection(this);
            try {
                pool.execute(() -> run(use, c));
            } catch (RejectedExecutionException e) {
                use.refuse(c);
                done(use, c);
            }
        }
    }

    private void run(HttpConnection conn, int c) {
        try {
            sys.setsockopt(c, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
            sys.setsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, idleTimeout * 1000);
            if (conn.serve(c)) {
                lingeringClose(c);
            }
        } catch (ErrnoException e) {
            // the peer went away, or the idle timeout passed
        } finally {
            done(conn, c);
        }
    }

    /**
     * Ends the sending side, then reads and drops what the client still sends, for at most
     * {@link #LINGER_MS} and {@link #LINGER_BYTES}, so that the close that follows finds the receive buffer
     * empty and sends FIN, not RST (RFC 9112 section 9.6's staged close).
     */
    private void lingeringClose(int c) throws ErrnoException {
        sys.shutdown(c, SocketDefs.SHUT_WR);
        sys.setsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, LINGER_MS);
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (int total = 0; total < LINGER_BYTES; ) {
            sink.clear();
            int n = sys.read(c, sink);
            if (n <= 0) {
                return;
            }
            total += n;
        }
    }

    private void done(HttpConnection conn, int c) {
        open.remove(c);
        try {
            sys.close(c);
        } catch (ErrnoException e) {
            // already closed
        }
        free.add(conn);
    }

    /** Stops accepting and ends the connections being served (their reads see end of stream). */
    @Override
    public void close() {
        closed = true;
        try {
            // Wakes the acceptor: a close alone leaves a thread blocked in accept asleep.
            sys.shutdown(listener, SocketDefs.SHUT_RDWR);
        } catch (ErrnoException e) {
            // not connected: some stacks refuse shutdown on a listener; the close below still ends it
        }
        try {
            sys.close(listener);
        } catch (ErrnoException e) {
            // already closed
        }
        for (int c : open) {
            try {
                sys.shutdown(c, SocketDefs.SHUT_RDWR);
            } catch (ErrnoException e) {
                // closed meanwhile
            }
        }
        pool.shutdown();
        try {
            acceptor.join(10_000);
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
