package io.jrump.examples.httpd;

import io.jrump.afpa.http.DocPath;
import io.jrump.afpa.http.ErrorPages;
import io.jrump.afpa.http.HttpMethod;
import io.jrump.afpa.http.HttpRequest;
import io.jrump.afpa.http.HttpRequestParser;
import io.jrump.afpa.http.HttpStatus;
import io.jrump.afpa.http.MimeTypes;
import io.jrump.afpa.http.ResponsePlan;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import java.nio.ByteBuffer;

/**
 * One connection's requests, in order (RFC 9112 section 9.3.2: pipelined requests are answered in the
 * order they came): bytes go to the accelerator's own incremental request parser as they arrive, each
 * complete request is answered through the same {@link ResponsePlan} and header writer the accelerator
 * uses, so that the two answer byte for byte alike, and parsing goes on with the bytes that follow. The
 * buffers live as long as the object, which the server reuses for connection after connection.
 */
final class HttpConnection {
    /** File bytes read per {@code pread}: a whole small response goes out in one {@code write}. */
    private static final int CHUNK = 64 << 10;
    private static final int IN = 16 << 10;

    private final UserHttpd server;
    private final byte[] in = new byte[IN];
    private final ByteBuffer inBuf = ByteBuffer.wrap(in);
    private final byte[] out;
    private final ByteBuffer outBuf;
    private final HttpRequestParser parser = new HttpRequestParser();
    private final ResponsePlan plan = new ResponsePlan();
    private final StringBuilder path = new StringBuilder();

    HttpConnection(UserHttpd server) {
        this.server = server;
        this.out = new byte[server.headers.maxLength(longestType()) + CHUNK];
        this.outBuf = ByteBuffer.wrap(out);
    }

    private static String longestType() {
        return "x".repeat(128); // room for any type MimeTypes gives
    }

    /**
     * Serves connection {@code c} until either side ends it. Returns true when the server ends it with
     * request bytes possibly still unread (after an error answer or with pipelined requests behind a
     * {@code Connection: close}): closing then would reset the connection, and the reset can destroy the
     * answer before the client reads it (RFC 9112 section 9.6), so the caller closes gracefully.
     */
    boolean serve(int c) throws ErrnoException {
        parser.reset();
        for (;;) {
            inBuf.clear();
            int n = server.sys.read(c, inBuf);
            if (n <= 0) {
                return false;
            }
            int start = 0;
            while (start < n) {
                HttpRequestParser.Result r = parser.feed(in, start, n - start);
                start += parser.consumed();
                if (r == HttpRequestParser.Result.NEED_MORE) {
                    break;
                }
                server.requests.increment();
                if (r == HttpRequestParser.Result.ERROR) {
                    // the parser no longer knows where a next request would start: answer and close
                    respond(c, plan.forError(null, parser.errorStatus()), -1);
                    return true;
                }
                boolean keep = answer(c, parser.request());
                parser.reset();
                if (!keep) {
                    return start < n;
                }
            }
        }
    }

    /** 503 to a connection the server has no thread for. */
    void refuse(int c) {
        try {
            respond(c, plan.forError(null, HttpStatus.SERVICE_UNAVAILABLE), -1);
        } catch (ErrnoException e) {
            // gone already
        }
    }

    /**
     * Answers one request: a GET or HEAD of a regular file under the document root, a directory's
     * {@link DocPath#INDEX}, or the error page that says why not. Returns whether the connection stays.
     */
    private boolean answer(int c, HttpRequest req) throws ErrnoException {
        if (req.method() == HttpMethod.OTHER) {
            return respond(c, plan.forError(req, HttpStatus.METHOD_NOT_ALLOWED), -1);
        }
        path.setLength(0);
        path.append(server.docroot).append(req.path());
        if (path.charAt(path.length() - 1) == '/') {
            path.append(DocPath.INDEX);
        }
        int fd = open();
        if (fd < 0) {
            return respond(c, plan.forError(req, -fd), -1);
        }
        try {
            Stat st = server.sys.fstat(fd);
            if (st.isDir()) {
                server.sys.close(fd);
                path.append('/').append(DocPath.INDEX);
                fd = open();
                if (fd < 0) {
                    return respond(c, plan.forError(req, -fd), -1);
                }
                st = server.sys.fstat(fd);
            }
            if (!st.isReg()) {
                return respond(c, plan.forError(req, HttpStatus.NOT_FOUND), -1);
            }
            plan.forFile(req, st.size(), st.mtimeSec(), MimeTypes.forPath(path.toString()));
            return respond(c, plan, fd);
        } finally {
            server.sys.close(fd);
        }
    }

    /** Opens {@link #path} for reading: the descriptor, or minus the status that answers a failure. */
    private int open() {
        try {
            return server.sys.open(path.toString(), Fcntl.O_RDONLY, 0);
        } catch (ErrnoException e) {
            int er = e.errno();
            return er == Errno.ENOENT || er == Errno.ENOTDIR || er == Errno.EACCES || er == Errno.ELOOP
                    || er == Errno.ENAMETOOLONG ? -HttpStatus.NOT_FOUND : -HttpStatus.INTERNAL_SERVER_ERROR;
        }
    }

    /**
     * Sends the header of {@code p} and its body: the error page, or the file's bytes read from {@code fd}
     * with {@code pread}, the header and the first chunk in one write. Returns whether the connection stays.
     */
    private boolean respond(int c, ResponsePlan p, int fd) throws ErrnoException {
        int fill = server.headers.write(p, System.currentTimeMillis() / 1000, out, 0);
        if (p.bodyFromErrorPage()) {
            fill += ErrorPages.copy(p.status(), out, fill);
        }
        if (!p.bodyFromFile() || p.fileLength() == 0) {
            write(c, fill);
            return p.keepAlive();
        }
        long off = p.fileOffset();
        long left = p.fileLength();
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
                write(c, fill);
                fill = 0;
            }
        }
        return p.keepAlive();
    }

    private void write(int c, int to) throws ErrnoException {
        outBuf.limit(to).position(0);
        while (outBuf.hasRemaining()) {
            server.sys.write(c, outBuf);
        }
    }
}
