package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * A parsed request head, owned by its {@link HttpRequestParser} and overwritten when the parser is
 * {@linkplain HttpRequestParser#reset() reset}: read what you need before parsing the next request. The path
 * is kept as bytes in the parser's buffer so that the accelerator can look it up without building a string;
 * {@link #path()} builds one on demand.
 */
public final class HttpRequest {
    /** What {@link #ifModifiedSince()} and {@link #ifRangeDate()} return when there is no usable date. */
    public static final long NO_DATE = -1;

    /** How a request's {@code If-None-Match} reads (RFC 9110 section 13.1.2). */
    public enum IfNoneMatch {
        /** No {@code If-None-Match}. */
        NONE,
        /** {@code If-None-Match: *}: false for any file that exists, so a GET or HEAD is answered 304. */
        ANY,
        /** A list of entity tags: this server sends no ETag, so none matches and the request goes on. */
        TAGS
    }

    /** How a request's {@code If-Range} reads (RFC 9110 section 13.1.5). */
    public enum IfRange {
        /** No {@code If-Range}: a {@code Range} applies unconditionally. */
        NONE,
        /** A date: the range applies only if the file's Last-Modified equals it exactly. */
        DATE,
        /** An entity tag (which never matches here), a malformed value or several: the whole file is sent. */
        OTHER
    }

    HttpMethod method = HttpMethod.OTHER;
    HttpVersion version = HttpVersion.HTTP_1_1;
    boolean keepAlive;
    byte[] pathBuf;
    int pathLength;
    String pathString;
    boolean hasQuery;
    long ifModifiedSince = NO_DATE;
    IfNoneMatch ifNoneMatch = IfNoneMatch.NONE;
    RangeKind rangeKind = RangeKind.NONE;
    long rangeFirst = -1;
    long rangeLast = -1;
    long rangeSuffix = -1;
    IfRange ifRange = IfRange.NONE;
    long ifRangeDate = NO_DATE;
    long contentLength = -1;
    boolean transferEncoding;
    long length;

    HttpRequest() {
    }

    void clear() {
        method = HttpMethod.OTHER;
        version = HttpVersion.HTTP_1_1;
        keepAlive = false;
        pathLength = 0;
        pathString = null;
        hasQuery = false;
        ifModifiedSince = NO_DATE;
        ifNoneMatch = IfNoneMatch.NONE;
        rangeKind = RangeKind.NONE;
        rangeFirst = -1;
        rangeLast = -1;
        rangeSuffix = -1;
        ifRange = IfRange.NONE;
        ifRangeDate = NO_DATE;
        contentLength = -1;
        transferEncoding = false;
        length = 0;
    }

    /** GET, HEAD or anything else. */
    public HttpMethod method() {
        return method;
    }

    /** The version, which sets the default of {@link #keepAlive()}. */
    public HttpVersion version() {
        return version;
    }

    /**
     * Whether the connection persists after the response (RFC 9112 section 9.3): for HTTP/1.1 unless the
     * {@code Connection} field holds {@code close}; for HTTP/1.0 only if it holds {@code keep-alive} and not
     * {@code close}. Never for a request with {@code Transfer-Encoding}, whose body this server does not read:
     * it answers and closes (RFC 9112 section 6.3 lets a server close instead of reading the body).
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * The buffer holding the normalised path (see {@link DocPath}) at offset 0, {@link #pathLength()} bytes
     * of UTF-8 starting with a slash. Only GET and HEAD requests have a path; for others the length is 0.
     * The array is the parser's: do not write to it.
     */
    public byte[] pathBytes() {
        return pathBuf;
    }

    /** The length of the normalised path in {@link #pathBytes()}, 0 if the request has none. */
    public int pathLength() {
        return pathLength;
    }

    /** The normalised path as a string (built once per request), or "" if the request has none. */
    public String path() {
        String s = pathString;
        if (s == null) {
            s = pathLength == 0 ? "" : new String(pathBuf, 0, pathLength, StandardCharsets.UTF_8);
            pathString = s;
        }
        return s;
    }

    /** Whether {@code b[off, off+len)} is the normalised path, compared without allocating. */
    public boolean pathEquals(byte[] b, int off, int len) {
        if (len != pathLength) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (pathBuf[i] != b[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the target had a query ({@code ?...}), which a file server ignores. */
    public boolean hasQuery() {
        return hasQuery;
    }

    /**
     * The {@code If-Modified-Since} date in epoch seconds, or {@link #NO_DATE} when it is absent, not an
     * HTTP-date, or given more than once (all of which a recipient must ignore, RFC 9110 section 13.1.3).
     */
    public long ifModifiedSince() {
        return ifModifiedSince;
    }

    /** How the {@code If-None-Match} field reads. */
    public IfNoneMatch ifNoneMatch() {
        return ifNoneMatch;
    }

    /** What the {@code Range} field asked for. */
    public RangeKind rangeKind() {
        return rangeKind;
    }

    /**
     * For a {@link RangeKind#SINGLE} {@code first-last} or {@code first-} range, the first byte; -1 for a
     * suffix range ({@code -n}).
     */
    public long rangeFirst() {
        return rangeFirst;
    }

    /** For a {@code first-last} range the last byte (which may lie past the end); -1 when open-ended. */
    public long rangeLast() {
        return rangeLast;
    }

    /** For a suffix range {@code -n}, n; otherwise -1. */
    public long rangeSuffix() {
        return rangeSuffix;
    }

    /** How the {@code If-Range} field reads. */
    public IfRange ifRange() {
        return ifRange;
    }

    /** The date of an {@link IfRange#DATE} {@code If-Range}, in epoch seconds. */
    public long ifRangeDate() {
        return ifRangeDate;
    }

    /** The {@code Content-Length} of the request's body, or -1 if it has none. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the request carried {@code Transfer-Encoding} (then {@link #keepAlive()} is false). */
    public boolean transferEncoding() {
        return transferEncoding;
    }

    /**
     * The number of bytes the request occupied on the connection: empty lines before it, its head and its
     * {@code Content-Length} body. The next pipelined request starts right after.
     */
    public long length() {
        return length;
    }
}
