package io.jrump.examples.httpd;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.x request head (RFC 9112 section 2 and 3), parsed from a byte range: method, decoded
 * path, version, keep-alive, {@code If-Modified-Since} and a single {@code Range}. One instance per
 * connection, reused for each request, so that parsing keeps no garbage beyond the path string.
 * {@link #parse} answers {@link #NEED_MORE} until the blank line that ends the head has arrived.
 */
final class RequestHead {
    static final int NEED_MORE = 0;
    static final int COMPLETE = 1;
    static final int ERROR = 2;
    /** Longest request line: beyond it 414 (RFC 9112 section 3 recommends supporting at least 8000 octets). */
    static final int MAX_REQUEST_LINE = 8192;
    /** Longest head: beyond it 431 (RFC 6585 section 5). */
    static final int MAX_HEAD = 16384;

    static final int GET = 1;
    static final int HEAD = 2;
    static final int OTHER = 3;

    int method;
    /** The path under the document root, decoded and normalised; null when {@link #status} says why not. */
    String path;
    int minorVersion;
    boolean keepAlive;
    /** {@code If-Modified-Since} in epoch seconds, or -1. */
    long ifModifiedSince;
    /** The first byte of a single range, -1 for none; with {@link #rangeSuffix} the suffix length. */
    long rangeFirst;
    /** The last byte of the range, -1 for "to the end". */
    long rangeLast;
    boolean rangeSuffix;
    /** Error status when {@link #parse} returned {@link #ERROR}, or 404/400 for a path that is refused. */
    int status;
    /** The bytes the head occupied: the next pipelined request starts there. */
    int length;
    private boolean hasHost;

    /** Parses {@code b[off, off+len)}: NEED_MORE, COMPLETE or ERROR (with {@link #status}). */
    int parse(byte[] b, int off, int len) {
        int end = headEnd(b, off, len);
        if (end < 0) {
            int lineEnd = indexOf(b, off, len, (byte) '\n');
            if (lineEnd < 0 && len > MAX_REQUEST_LINE) {
                return error(414);
            }
            return len >= MAX_HEAD ? error(lineEnd < 0 ? 414 : 431) : NEED_MORE;
        }
        length = end - off;
        if (length > MAX_HEAD) {
            return error(431);
        }
        reset();
        int p = off;
        // RFC 9112 section 2.2: a server should ignore at least one empty line before the request line.
        while (p < end && (b[p] == '\r' || b[p] == '\n')) {
            p++;
        }
        int eol = indexOf(b, p, end - p, (byte) '\n');
        int lineLen = eol - p;
        if (lineLen > MAX_REQUEST_LINE) {
            return error(414);
        }
        int lineEnd = eol > p && b[eol - 1] == '\r' ? eol - 1 : eol;
        int sp1 = indexOf(b, p, lineEnd - p, (byte) ' ');
        if (sp1 <= p) {
            return error(400);
        }
        int sp2 = indexOf(b, sp1 + 1, lineEnd - sp1 - 1, (byte) ' ');
        if (sp2 < 0 || sp2 == sp1 + 1 || indexOf(b, sp2 + 1, lineEnd - sp2 - 1, (byte) ' ') >= 0) {
            return error(400);
        }
        method = exact(b, p, sp1, "GET") ? GET : exact(b, p, sp1, "HEAD") ? HEAD : OTHER; // case-sensitive (RFC 9110 section 9.1)
        if (lineEnd - sp2 - 1 != 8 || !matches(b, sp2 + 1, sp2 + 6, "HTTP/") || b[sp2 + 6] != '1'
                || b[sp2 + 7] != '.' || (b[sp2 + 8] != '0' && b[sp2 + 8] != '1')) {
            return error(400);
        }
        minorVersion = b[sp2 + 8] - '0';
        keepAlive = minorVersion == 1;
        for (int q = p; q < sp1; q++) {
            if (!token(b[q])) {
                return error(400);
            }
        }
        int pathStatus = DocPaths.decode(b, sp1 + 1, sp2, this);
        int h = eol + 1;
        while (h < end) {
            int e = indexOf(b, h, end - h, (byte) '\n');
            int le = e > h && b[e - 1] == '\r' ? e - 1 : e;
            if (le == h) {
                break;
            }
            if (!header(b, h, le)) {
                return error(400);
            }
            h = e + 1;
        }
        if (minorVersion == 1 && !hasHost) {
            return error(400); // RFC 9112 section 3.2
        }
        if (method == OTHER) {
            status = 405; // the connection stays as the request asked: the request itself was well formed
            return ERROR;
        }
        if (pathStatus != 0) {
            return error(pathStatus);
        }
        return COMPLETE;
    }

    private void reset() {
        method = OTHER;
        path = null;
        ifModifiedSince = -1;
        rangeFirst = -1;
        rangeLast = -1;
        rangeSuffix = false;
        status = 0;
        hasHost = false;
    }

    private int error(int s) {
        status = s;
        keepAlive = false;
        return ERROR;
    }

    /** One header line {@code b[from, to)}; false when it is malformed (RFC 9112 section 5). */
    private boolean header(byte[] b, int from, int to) {
        int colon = indexOf(b, from, to - from, (byte) ':');
        if (colon <= from) {
            return false;
        }
        for (int q = from; q < colon; q++) {
            if (!token(b[q])) {
                return false; // includes whitespace before the colon (section 5.1) and obs-fold
            }
        }
        int v = colon + 1;
        while (v < to && (b[v] == ' ' || b[v] == '\t')) {
            v++;
        }
        int ve = to;
        while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        int n = colon - from;
        if (n == 4 && matches(b, from, colon, "host")) {
            if (hasHost) {
                return false;
            }
            hasHost = true;
        } else if (n == 10 && matches(b, from, colon, "connection")) {
            connection(b, v, ve);
        } else if (n == 17 && matches(b, from, colon, "if-modified-since")) {
            ifModifiedSince = HttpDates.parse(new String(b, v, ve - v, StandardCharsets.ISO_8859_1));
        } else if (n == 5 && matches(b, from, colon, "range")) {
            range(b, v, ve);
        }
        return true;
    }

    /** {@code Connection}: "close" ends the connection, "keep-alive" keeps an HTTP/1.0 one (RFC 9112 section 9.3). */
    private void connection(byte[] b, int v, int ve) {
        int t = v;
        while (t < ve) {
            int c = indexOf(b, t, ve - t, (byte) ',');
            int te = c < 0 ? ve : c;
            int s = t;
            while (s < te && b[s] == ' ') {
                s++;
            }
            int e = te;
            while (e > s && b[e - 1] == ' ') {
                e--;
            }
            if (e - s == 5 && matches(b, s, e, "close")) {
                keepAlive = false;
            } else if (e - s == 10 && matches(b, s, e, "keep-alive") && minorVersion == 0) {
                keepAlive = true;
            }
            t = te + 1;
        }
    }

    /**
     * {@code Range: bytes=first-last}, {@code first-} or {@code -suffix} (RFC 9110 section 14.1.2); a
     * list of ranges, another unit or a malformed value is ignored and the whole file served (section
     * 14.2 lets a server ignore Range).
     */
    private void range(byte[] b, int v, int ve) {
        if (ve - v < 7 || !matches(b, v, v + 6, "bytes=") || indexOf(b, v, ve - v, (byte) ',') >= 0) {
            return;
        }
        int p = v + 6;
        int dash = indexOf(b, p, ve - p, (byte) '-');
        if (dash < 0) {
            return;
        }
        long first = number(b, p, dash);
        long last = number(b, dash + 1, ve);
        if (dash == p) {
            if (last < 0) {
                return;
            }
            rangeSuffix = true;
            rangeFirst = last;
            rangeLast = -1;
        } else if (first >= 0 && (dash + 1 == ve || (last >= 0 && last >= first))) {
            rangeFirst = first;
            rangeLast = dash + 1 == ve ? -1 : last;
        }
    }

    /** A decimal number in {@code b[from, to)}, -1 if it is empty, not digits or too large. */
    private static long number(byte[] b, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }

    /** The offset just past the blank line that ends a head, or -1. */
    static int headEnd(byte[] b, int off, int len) {
        int end = off + len;
        int p = off;
        while (p < end && (b[p] == '\r' || b[p] == '\n')) {
            p++; // leading empty lines
        }
        for (int i = p; i < end; i++) {
            if (b[i] == '\n') {
                if (i + 1 < end && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    static int indexOf(byte[] b, int off, int len, byte c) {
        for (int i = off, e = off + len; i < e; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code b[from, to)} is {@code lower}, ASCII case-insensitively (header names, RFC 9110 section 5.1). */
    static boolean matches(byte[] b, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            int l = lower.charAt(i);
            if (l >= 'A' && l <= 'Z') {
                l += 'a' - 'A';
            }
            if (c != l) {
                return false;
            }
        }
        return true;
    }

    private static boolean exact(byte[] b, int from, int to, String s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 section 5.6.2's tchar. */
    private static boolean token(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
