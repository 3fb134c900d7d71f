package io.jrump.examples.httpd;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import java.nio.ByteBuffer;

/**
 * One connection's requests, in order (RFC 9112 section 9.3.2: pipelined requests are answered in the
 * order they came): read until a head is complete, answer it, go on with whatever bytes follow it. The
 * buffers live as long as the object, which the server reuses for connection after connection.
 */
final class HttpConnection {
    /** File bytes read per {@code pread}: a whole small response goes out in one {@code write}. */
    private static final int CHUNK = 64 << 10;
    private static final int HEAD_ROOM = 1024;

    private final UserHttpd server;
    private final byte[] in = new byte[RequestHead.MAX_HEAD + 1];
    private final ByteBuffer inBuf = ByteBuffer.wrap(in);
    private final byte[] out = new byte[HEAD_ROOM + CHUNK];
    private final ByteBuffer outBuf = ByteBuffer.wrap(out);
    private final Responses.Writer w = new Responses.Writer(out);
    private final RequestHead head = new RequestHead();
    private final StringBuilder path = new StringBuilder();

    HttpConnection(UserHttpd server) {
        this.server = server;
    }

    /**
     * Serves connection {@code c} until either side ends it. Returns true when the server ends it with
     * request bytes possibly still unread (after an error answer or with pipelined requests behind a
     * {@code Connection: close}): closing then would reset the connection, and the reset can destroy the
     * answer before the client reads it (RFC 9112 section 9.6), so the caller closes gracefully.
     */
    boolean serve(int c) throws ErrnoException {
        int start = 0;
        int have = 0;
        for (;;) {
            int r = have > start ? head.parse(in, start, have - start) : RequestHead.NEED_MORE;
            if (r == RequestHead.NEED_MORE) {
                if (start > 0) {
                    System.arraycopy(in, start, in, 0, have - start);
                    have -= start;
                    start = 0;
                }
                inBuf.limit(in.length).position(have);
                int n = server.sys.read(c, inBuf);
                if (n <= 0) {
                    return false;
                }
                have += n;
                continue;
            }
            server.requests.increment();
            boolean keep = r == RequestHead.COMPLETE ? file(c) : error(c, head.status, head.method == RequestHead.HEAD);
            if (!keep || r == RequestHead.ERROR && head.status != 405) {
                return r == RequestHead.ERROR || start + head.length < have;
            }
            start += head.length;
            if (start == have) {
                start = 0;
                have = 0;
            }
        }
    }

    /** 503 to a connection the server has no thread for. */
    void refuse(int c) {
        head.minorVersion = 1;
        head.keepAlive = false;
        try {
            error(c, 503, false);
        } catch (ErrnoException e) {
            // gone already
        }
    }

    /** Answers a GET or HEAD of a file; returns whether the connection stays open. */
    private boolean file(int c) throws ErrnoException {
        path.setLength(0);
        path.append(server.docroot).append(head.path);
        int fd;
        try {
            fd = server.sys.open(path.toString(), Fcntl.O_RDONLY, 0);
        } catch (ErrnoException e) {
            int s = e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.EACCES
                    || e.errno() == Errno.ELOOP || e.errno() == Errno.ENAMETOOLONG ? 404 : 500;
            return error(c, s, head.method == RequestHead.HEAD);
        }
        try {
            Stat st = server.sys.fstat(fd);
            if (!st.isReg()) {
                return error(c, 404, head.method == RequestHead.HEAD);
            }
            return send(c, fd, st);
        } finally {
            server.sys.close(fd);
        }
    }

    private boolean send(int c, int fd, Stat st) throws ErrnoException {
        long size = st.size();
        long mtime = st.mtimeSec();
        byte[] lastModified = HttpDates.format(mtime);
        if (head.ifModifiedSince >= 0 && mtime <= head.ifModifiedSince && head.rangeFirst < 0) {
            // RFC 9110 section 13.1.3: not modified since the client's copy
            start(304);
            w.field("Last-Modified", lastModified);
            connection().end();
            write(c, 0, w.pos);
            return head.keepAlive;
        }
        long first = 0;
        long last = size - 1;
        int status = 200;
        if (head.rangeFirst >= 0) {
            // RFC 9110 section 14.1.2 (byte ranges) and 15.3.7 (206) / 15.5.17 (416)
            if (head.rangeSuffix) {
                first = size - Math.min(head.rangeFirst, size);
            } else {
                first = head.rangeFirst;
                last = head.rangeLast < 0 || head.rangeLast >= size ? size - 1 : head.rangeLast;
            }
            if (first >= size || (head.rangeSuffix && head.rangeFirst == 0)) {
                start(416);
                w.ascii("Content-Range: bytes */").num(size).ascii("\r\n");
                byte[] body = Responses.errorBody(416);
                w.field("Content-Type", "text/html").field("Content-Length", body.length);
                connection().end();
                if (head.method == RequestHead.GET) {
                    w.bytes(body);
                }
                write(c, 0, w.pos);
                return head.keepAlive;
            }
            status = 206;
        }
        long length = last - first + 1;
        start(status);
        w.field("Content-Type", Responses.contentType(head.path)).field("Content-Length", length)
                .field("Last-Modified", lastModified).ascii("Accept-Ranges: bytes\r\n");
        if (status == 206) {
            w.ascii("Content-Range: bytes ").num(first).ascii("-").num(last).ascii("/").num(size).ascii("\r\n");
        }
        connection().end();
        if (head.method == RequestHead.HEAD || length == 0) {
            write(c, 0, w.pos);
            return head.keepAlive;
        }
        int headLen = w.pos;
        long off = first;
        long left = length;
        int fill = headLen;
        while (left > 0) {
            int want = (int) Math.min(left, out.length - fill);
            outBuf.limit(fill + want).position(fill);
            int n = server.sys.pread(fd, outBuf, off);
            if (n <= 0) {
                return false; // the file shrank under us: the promised length cannot be kept
            }
            off += n;
            left -= n;
            fill += n;
            if (fill == out.length || left == 0) {
                write(c, 0, fill);
                fill = 0;
            }
        }
        return head.keepAlive;
    }

    /** An error answer with its HTML body (none for HEAD); returns whether the connection stays open. */
    private boolean error(int c, int status, boolean isHead) throws ErrnoException {
        byte[] body = Responses.errorBody(status);
        start(status);
        if (status == 405) {
            w.field("Allow", "GET, HEAD"); // RFC 9110 section 15.5.6
        }
        w.field("Content-Type", "text/html").field("Content-Length", body.length);
        if (status != 404 && status != 405) {
            head.keepAlive = false;
        }
        connection().end();
        if (!isHead) {
            w.bytes(body);
        }
        write(c, 0, w.pos);
        return head.keepAlive;
    }

    private void start(int status) {
        w.pos = 0;
        w.statusLine(head.minorVersion, status).field("Date", server.dates.now(System.currentTimeMillis()))
                .field("Server", Responses.SERVER);
    }

    /** {@code Connection: close}, or {@code keep-alive} for an HTTP/1.0 client that asked for it. */
    private Responses.Writer connection() {
        if (!head.keepAlive) {
            return w.ascii("Connection: close\r\n");
        }
        return head.minorVersion == 0 ? w.ascii("Connection: keep-alive\r\n") : w;
    }

    private void write(int c, int from, int to) throws ErrnoException {
        outBuf.limit(to).position(from);
        while (outBuf.hasRemaining()) {
            server.sys.write(c, outBuf);
        }
    }
}
