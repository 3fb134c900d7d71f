package io.jrump.examples;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A minimal HTTP/1.0 server (RFC 1945) on rump sockets: GET and HEAD of objects held in memory, one
 * request per connection, {@code Content-Length} always sent. It is the user-level server the AFPA
 * accelerator will later sit in front of; for now Linux {@code curl} downloads from it through a tap.
 * A request that is not GET or HEAD gets 501, a missing object 404, a request line that cannot be
 * parsed or is longer than 8 KB 400.
 */
public final class TinyHttpd implements AutoCloseable {
    private static final int MAX_REQUEST = 8192;

    private final Syscalls sys;
    private final Map<String, byte[]> objects;
    private final int listener;
    private volatile boolean closed;

    private TinyHttpd(Syscalls sys, Map<String, byte[]> objects, int listener) {
        this.sys = sys;
        this.objects = Map.copyOf(objects);
        this.listener = listener;
    }

    /** Serves {@code objects} (path, such as {@code /10m.bin}, to bytes) on {@code port}. */
    public static TinyHttpd start(Syscalls sys, int port, Map<String, byte[]> objects) throws ErrnoException {
        int l = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        try {
            sys.setsockopt(l, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            sys.bind(l, SockAddr.in("0.0.0.0", port));
            sys.listen(l, 16);
        } catch (ErrnoException e) {
            sys.close(l);
            throw e;
        }
        TinyHttpd h = new TinyHttpd(sys, objects, l);
        StreamServices.daemon("httpd listener", h::acceptLoop);
        return h;
    }

    private void acceptLoop() {
        while (!closed) {
            int c;
            try {
                c = sys.accept(listener, new SockAddr());
            } catch (ErrnoException e) {
                return;
            }
            StreamServices.daemon("httpd " + c, () -> serve(c));
        }
    }

    private void serve(int c) {
        try {
            String request = readRequest(c);
            respond(c, request);
        } catch (ErrnoException e) {
            // the client went away
        } finally {
            try {
                sys.close(c);
            } catch (ErrnoException e) {
                // already gone
            }
        }
    }

    /** The request head up to the empty line, or null if it is too long or the client stopped early. */
    private String readRequest(int c) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(MAX_REQUEST);
        while (b.hasRemaining()) {
            int n = sys.read(c, b);
            if (n <= 0) {
                return null;
            }
            String s = new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
            if (s.contains("\r\n\r\n") || s.contains("\n\n")) {
                return s;
            }
        }
        return null;
    }

    private void respond(int c, String request) throws ErrnoException {
        String[] line = request == null ? new String[0] : request.split("\r?\n", 2)[0].split(" ");
        if (line.length < 2 || !line[1].startsWith("/")) {
            send(c, "400 Bad Request", null, true);
        } else if (!line[0].equals("GET") && !line[0].equals("HEAD")) {
            send(c, "501 Not Implemented", null, true);
        } else {
            byte[] body = objects.get(line[1]);
            if (body == null) {
                send(c, "404 Not Found", null, true);
            } else {
                send(c, "200 OK", body, line[0].equals("GET"));
            }
        }
    }

    private void send(int c, String status, byte[] body, boolean withBody) throws ErrnoException {
        byte[] b = body == null ? (status + "\n").getBytes(StandardCharsets.US_ASCII) : body;
        String head = "HTTP/1.0 " + status + "\r\nContent-Length: " + b.length + "\r\nContent-Type: "
                + (body == null ? "text/plain" : "application/octet-stream") + "\r\nConnection: close\r\n\r\n";
        writeAll(c, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
        if (withBody) {
            writeAll(c, ByteBuffer.wrap(b));
        }
    }

    private void writeAll(int c, ByteBuffer b) throws ErrnoException {
        while (b.hasRemaining()) {
            sys.write(c, b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            sys.close(listener);
        } catch (ErrnoException e) {
            // already closed
        }
    }
}
