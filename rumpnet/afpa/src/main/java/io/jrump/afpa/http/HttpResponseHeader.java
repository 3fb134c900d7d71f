package io.jrump.afpa.http;

import com.google.common.base.Preconditions;

/**
 * Writes a response's status line and header fields (RFC 9112 sections 4 and 5) into a caller's byte array,
 * the same bytes from the accelerator (into the header room of a cache object's first frame) and from the
 * user-level server. Nothing is allocated per response: numbers are written digit by digit and the
 * {@code Date} comes from {@link HttpDate}'s per-second cache.
 *
 * <p>The fields, in this order, and where each is asked for:
 * <ul>
 * <li>{@code HTTP/1.1 <code> <reason>}: a server sends its own highest version whatever the request's
 * (RFC 9110 section 6.2).
 * <li>{@code Date}: an origin server with a clock must send it (RFC 9110 section 6.6.1).
 * <li>{@code Server} (RFC 9110 section 10.2.4).
 * <li>{@code Last-Modified} for 200, 206 and 304 (RFC 9110 section 8.8.2; in a 304 it helps a cache that has no
 * ETag, section 15.4.5).
 * <li>{@code Content-Type} and {@code Content-Length} for everything but 304 (RFC 9110 sections 8.3 and 8.6;
 * a 304 must not claim a length other than the 200's, and sending none is simplest). A HEAD answer has the
 * length its GET would have (section 9.3.2).
 * <li>{@code Content-Range} for 206 ({@code bytes first-last/size}) and 416 ({@code bytes *}{@code /size})
 * (RFC 9110 section 14.4).
 * <li>{@code Accept-Ranges: bytes} for 200 and 206 (RFC 9110 section 14.3).
 * <li>{@code Allow: GET, HEAD} for 405, which must list the methods served (RFC 9110 section 15.5.6).
 * <li>Persistence (RFC 9112 section 9.3): {@code Connection: close} when the connection closes after this
 * response (section 9.6); for an HTTP/1.0 client that asked to keep the connection,
 * {@code Connection: keep-alive} and, if configured, {@code Keep-Alive: timeout=n} (RFC 9112 appendix C.2.2),
 * since such a client otherwise assumes the connection closes.
 * </ul>
 *
 * <p>Not thread-safe only in the sense that the target array is the caller's; the instance itself holds
 * nothing that changes and may be shared.
 */
public final class HttpResponseHeader {
    private static final byte[] HTTP11 = ascii("HTTP/1.1 ");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] DATE = ascii("Date: ");
    private static final byte[] LAST_MODIFIED = ascii("Last-Modified: ");
    private static final byte[] CONTENT_TYPE = ascii("Content-Type: ");
    private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    private static final byte[] CONTENT_RANGE = ascii("Content-Range: bytes ");
    private static final byte[] ACCEPT_RANGES = ascii("Accept-Ranges: bytes\r\n");
    private static final byte[] ALLOW = ascii("Allow: GET, HEAD\r\n");
    private static final byte[] CLOSE = ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] KEEP_ALIVE_TIMEOUT = ascii("Keep-Alive: timeout=");
    /** Everything but the server name and the content type, with every number at its longest. */
    private static final int FIXED_MAX = 512;

    private final byte[] serverLine;
    private final HttpDate dates;
    private final int keepAliveTimeout;

    /**
     * @param server the {@code Server} field's value (printable ASCII, at most 64 characters)
     * @param dates the date formatter whose per-second cache this writer uses
     * @param keepAliveTimeout the idle timeout announced to HTTP/1.0 keep-alive clients in seconds, or 0 to
     *     announce none
     */
    public HttpResponseHeader(String server, HttpDate dates, int keepAliveTimeout) {
        Preconditions.checkArgument(!server.isEmpty() && server.length() <= 64, "server name length");
        for (int i = 0; i < server.length(); i++) {
            char c = server.charAt(i);
            Preconditions.checkArgument(c >= 0x20 && c < 0x7f, "server name is not printable ASCII");
        }
        Preconditions.checkArgument(keepAliveTimeout >= 0, "keepAliveTimeout < 0");
        this.serverLine = ascii("Server: " + server + "\r\n");
        this.dates = dates;
        this.keepAliveTimeout = keepAliveTimeout;
    }

    /** The longest header {@link #write} can produce for a plan whose content type is {@code contentType}. */
    public int maxLength(String contentType) {
        return FIXED_MAX + serverLine.length + (contentType == null ? 0 : contentType.length());
    }

    /**
     * Writes the header of {@code plan} into {@code buf} at {@code off}, ending with the empty line.
     *
     * @param nowSeconds the current time in epoch seconds, for {@code Date}
     * @return the number of bytes written
     * @throws IndexOutOfBoundsException if the header does not fit (at most {@link #maxLength(String)})
     */
    public int write(ResponsePlan plan, long nowSeconds, byte[] buf, int off) {
        int status = plan.status();
        int p = off;
        p = put(buf, p, HTTP11);
        p = putLong(buf, p, status);
        buf[p++] = ' ';
        p = putAscii(buf, p, HttpStatus.reason(status));
        p = put(buf, p, CRLF);
        p = put(buf, p, DATE);
        p += dates.format(nowSeconds, buf, p);
        p = put(buf, p, CRLF);
        p = put(buf, p, serverLine);
        if (plan.lastModified() >= 0) {
            p = put(buf, p, LAST_MODIFIED);
            p += dates.format(plan.lastModified(), buf, p);
            p = put(buf, p, CRLF);
        }
        if (plan.contentType() != null) {
            p = put(buf, p, CONTENT_TYPE);
            p = putAscii(buf, p, plan.contentType());
            p = put(buf, p, CRLF);
        }
        if (plan.contentLength() >= 0) {
            p = put(buf, p, CONTENT_LENGTH);
            p = putLong(buf, p, plan.contentLength());
            p = put(buf, p, CRLF);
        }
        if (status == HttpStatus.PARTIAL_CONTENT || status == HttpStatus.RANGE_NOT_SATISFIABLE) {
            p = put(buf, p, CONTENT_RANGE);
            if (status == HttpStatus.PARTIAL_CONTENT) {
                p = putLong(buf, p, plan.rangeFirst());
                buf[p++] = '-';
                p = putLong(buf, p, plan.rangeLast());
            } else {
                buf[p++] = '*';
            }
            buf[p++] = '/';
            p = putLong(buf, p, plan.completeLength());
            p = put(buf, p, CRLF);
        }
        if (status == HttpStatus.OK || status == HttpStatus.PARTIAL_CONTENT) {
            p = put(buf, p, ACCEPT_RANGES);
        }
        if (status == HttpStatus.METHOD_NOT_ALLOWED) {
            p = put(buf, p, ALLOW);
        }
        if (!plan.keepAlive()) {
            p = put(buf, p, CLOSE);
        } else if (plan.version() == HttpVersion.HTTP_1_0) {
            p = put(buf, p, KEEP_ALIVE);
            if (keepAliveTimeout > 0) {
                p = put(buf, p, KEEP_ALIVE_TIMEOUT);
                p = putLong(buf, p, keepAliveTimeout);
                p = put(buf, p, CRLF);
            }
        }
        p = put(buf, p, CRLF);
        return p - off;
    }

    private static int put(byte[] buf, int p, byte[] s) {
        System.arraycopy(s, 0, buf, p, s.length);
        return p + s.length;
    }

    private static int putAscii(byte[] buf, int p, String s) {
        int n = s.length();
        if (p + n > buf.length) {
            throw new IndexOutOfBoundsException("header does not fit");
        }
        for (int i = 0; i < n; i++) {
            buf[p + i] = (byte) s.charAt(i);
        }
        return p + n;
    }

    private static int putLong(byte[] buf, int p, long v) {
        if (v == 0) {
            buf[p] = '0';
            return p + 1;
        }
        int digits = 0;
        for (long t = v; t != 0; t /= 10) {
            digits++;
        }
        if (p + digits > buf.length) {
            throw new IndexOutOfBoundsException("header does not fit");
        }
        for (int i = p + digits - 1; i >= p; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return p + digits;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
