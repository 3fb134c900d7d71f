package io.jrump.examples;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The two oldest TCP services, on rump sockets: discard (RFC 863), which reads and drops everything,
 * and echo (RFC 862), which sends back everything it reads and closes after the client's FIN. Each
 * listener and each connection has a thread of its own, as inetd's built-in services would. Linux
 * {@code socat} and {@code nc} use them to exchange bulk data with a rump kernel.
 */
public final class StreamServices implements AutoCloseable {
    private final Syscalls sys;
    private final List<Integer> listeners = new ArrayList<>();
    private volatile boolean closed;

    private StreamServices(Syscalls sys) {
        this.sys = sys;
    }

    /** Listens on {@code discardPort} and {@code echoPort} of every address (0 leaves one out). */
    public static StreamServices start(Syscalls sys, int discardPort, int echoPort) throws ErrnoException {
        StreamServices s = new StreamServices(sys);
        try {
            if (discardPort != 0) {
                s.listen(discardPort, "discard", s::discard);
            }
            if (echoPort != 0) {
                s.listen(echoPort, "echo", s::echo);
            }
        } catch (ErrnoException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void listen(int port, String name, IntConsumer serve) throws ErrnoException {
        int l = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        listeners.add(l);
        sys.setsockopt(l, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
        sys.bind(l, SockAddr.in("0.0.0.0", port));
        sys.listen(l, 16);
        daemon(name + " listener", () -> {
            while (!closed) {
                int c;
                try {
                    c = sys.accept(l, new SockAddr());
                } catch (ErrnoException e) {
                    return;
                }
                daemon(name + " " + c, () -> serve.accept(c));
            }
        });
    }

    private void discard(int c) {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        try {
            while (true) {
                b.clear();
                if (sys.read(c, b) <= 0) {
                    break;
                }
            }
        } catch (ErrnoException e) {
            System.err.println("discard: connection " + c + " ended: " + e.getMessage());
        }
        closeQuietly(c);
    }

    private void echo(int c) {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        try {
            while (true) {
                b.clear();
                if (sys.read(c, b) <= 0) {
                    break;
                }
                b.flip();
                while (b.hasRemaining()) {
                    sys.write(c, b);
                }
            }
        } catch (ErrnoException e) {
            System.err.println("echo: connection " + c + " ended: " + e.getMessage());
        }
        closeQuietly(c);
    }

    static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    void closeQuietly(int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // already gone
        }
    }

    /** Stops accepting; connections in progress finish on their own. */
    @Override
    public void close() {
        closed = true;
        for (int l : listeners) {
            closeQuietly(l);
        }
    }
}
