package io.jrump.afpa;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A test client's connection on ordinary rump sockets in the client kernel: writes request bytes as
 * given (whole, or a byte at a time), reads responses (status line, headers, a body as long as its
 * {@code Content-Length}, none for HEAD, 204 and 304), so that a test compares what a client receives.
 */
final class HttpConn implements AutoCloseable {
    /** One response as the client read it. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final Syscalls sys;
    final int fd;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean eof;

    HttpConn(Syscalls sys, String host, int port) throws ErrnoException {
        this.sys = sys;
        this.fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.connect(fd, SockAddr.in(host, port));
    }

    void send(String s) throws ErrnoException {
        send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] b) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            sys.write(fd, buf);
        }
    }

    /** A GET for {@code path} that asks for the connection to stay open (HTTP/1.1). */
    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    private boolean fill() throws ErrnoException {
        if (eof) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(65536);
        int n = sys.read(fd, b);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pending.write(b.array(), 0, n);
        return true;
    }

    /** Reads the next response; {@code head} says it answers a HEAD (no body whatever the length). */
    Response read(boolean head) throws ErrnoException {
        int end;
        while ((end = indexOf(pending.toByteArray(), "\r\n\r\n")) < 0) {
            if (!fill()) {
                throw new AssertionError("connection ended before a response's headers: '"
                        + pending.toString(StandardCharsets.ISO_8859_1) + "'");
            }
        }
        byte[] all = pending.toByteArray();
        String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        int len = head || status == 304 || status == 204 ? 0
                : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        while (pending.size() < end + 4 + len) {
            if (!fill()) {
                throw new AssertionError("connection ended after " + (pending.size() - end - 4) + " of " + len
                        + " body bytes");
            }
        }
        all = pending.toByteArray();
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, end + 4 + len);
        pending.reset();
        pending.write(all, end + 4 + len, all.length - end - 4 - len);
        return new Response(status, headers, body);
    }

    Response read() throws ErrnoException {
        return read(false);
    }

    /** Whether the server closed the connection with nothing more to read. */
    boolean closedByServer() throws ErrnoException {
        while (fill()) {
            // drain
        }
        return pending.size() == 0;
    }

    static int indexOf(byte[] b, String s) {
        byte[] p = s.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + p.length <= b.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (b[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // closed
        }
    }
}
