package io.jrump.afpa;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The user-level server the accelerator passes connections to, in the test tree: an accept loop on
 * ordinary rump sockets in the server kernel. It reads one request (headers, and a body as long as its
 * {@code Content-Length}), answers {@code 200} with {@code X-Server: user} and, as body, the exact
 * bytes it read, then closes: a test sees both that the connection arrived and that the bytes the
 * accelerator had already received came along intact. Given a docroot it serves files instead, as the
 * real user-level server would, for the tests that load and unload the accelerator under load.
 */
final class UserServer implements AutoCloseable {
    private final Kernel kernel;
    private final int port;
    private final int listener;
    private final String docroot;
    private final Thread thread;
    private volatile boolean closing;
    final AtomicInteger accepted = new AtomicInteger();
    final List<byte[]> requests = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    UserServer(Kernel kernel, int port) throws ErrnoException {
        this(kernel, port, null);
    }

    /** With {@code docroot}, a GET is answered with the file it names there instead of the request's bytes. */
    UserServer(Kernel kernel, int port, String docroot) throws ErrnoException {
        this.kernel = kernel;
        this.docroot = docroot;
        this.port = port;
        Syscalls s = kernel.syscalls();
        listener = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.setsockopt(listener, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
        s.bind(listener, SockAddr.in("0.0.0.0", port));
        s.listen(listener, 64);
        thread = new Thread(this::acceptLoop, "user server :" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private void acceptLoop() {
        Syscalls s = kernel.syscalls();
        while (!closing) {
            int fd;
            try {
                fd = s.accept(listener, new SockAddr());
            } catch (ErrnoException e) {
                if (closing) {
                    return;
                }
                continue;
            }
            if (closing) {
                close(s, fd);
                return;
            }
            accepted.incrementAndGet();
            Thread t = new Thread(() -> serve(fd), "user conn " + fd);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(int fd) {
        Syscalls s = kernel.syscalls();
        try {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            int need = -1;
            while (need < 0 || got.size() < need) {
                b.clear();
                int n = s.read(fd, b);
                if (n <= 0) {
                    break;
                }
                got.write(b.array(), 0, n);
                if (need < 0) {
                    need = requestLength(got.toByteArray());
                }
            }
            byte[] req = got.toByteArray();
            requests.add(req);
            byte[] body = docroot == null ? req : file(s, req);
            byte[] head = ("HTTP/1.1 " + (body == null ? "404 Not Found" : "200 OK") + "\r\nX-Server: user\r\n"
                    + "Content-Length: " + (body == null ? 0 : body.length) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            body = body == null ? new byte[0] : body;
            ByteBuffer out = ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
            while (out.hasRemaining()) {
                s.write(fd, out);
            }
        } catch (ErrnoException | RuntimeException e) {
            failures.add(e);
        } finally {
            close(s, fd);
        }
    }

    /** The file a GET names under the docroot, read through the VFS system calls; null if there is none. */
    private byte[] file(Syscalls s, byte[] req) {
        String line = new String(req, StandardCharsets.ISO_8859_1).split("\r\n", 2)[0];
        String[] p = line.split(" ");
        if (p.length < 2 || !p[0].equals("GET") || p[1].contains("..")) {
            return null;
        }
        try {
            int fd = s.open(docroot + p[1], io.jrump.kern.vfs.Fcntl.O_RDONLY, 0);
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(65536);
                int n;
                while ((n = s.read(fd, b.clear())) > 0) {
                    out.write(b.array(), 0, n);
                }
                return out.toByteArray();
            } finally {
                s.close(fd);
            }
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** The length of the request at the start of {@code b} once its headers are complete, else -1. */
    static int requestLength(byte[] b) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return -1;
        }
        int body = 0;
        for (String line : text.substring(0, end).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                body = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return end + 4 + body;
    }

    private static void close(Syscalls s, int fd) {
        try {
            s.close(fd);
        } catch (ErrnoException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        Syscalls s = kernel.syscalls();
        try {
            // a listener shut down for reading makes a waiting accept return ECONNABORTED
            s.shutdown(listener, SocketDefs.SHUT_RD);
        } catch (ErrnoException e) {
            // the halt ends the loop
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close(s, listener);
    }
}
