package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * The bodies of the responses that carry no file: a short {@code text/html} page naming the status, the same
 * bytes from the accelerator and from the user-level server. A 304 has no content (RFC 9110 section 15.4.5),
 * so its body is empty; so is the body of any code this class does not know. The pages are built once and
 * copied out, never handed out, so that no caller can change what another sends.
 */
public final class ErrorPages {
    /** {@code text/html}, the type of every page here. */
    public static final String CONTENT_TYPE = "text/html";

    private static final int[] CODES = {304, 400, 404, 405, 414, 416, 431, 500, 503, 505};
    private static final byte[][] PAGES = new byte[CODES.length][];
    private static final byte[] EMPTY = {};

    static {
        for (int i = 0; i < CODES.length; i++) {
            int c = CODES[i];
            String title = c + " " + HttpStatus.reason(c);
            PAGES[i] = c == HttpStatus.NOT_MODIFIED ? EMPTY
                    : ("<html><head><title>" + title + "</title></head><body><h1>" + title
                            + "</h1></body></html>\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private ErrorPages() {
    }

    private static byte[] page(int status) {
        for (int i = 0; i < CODES.length; i++) {
            if (CODES[i] == status) {
                return PAGES[i];
            }
        }
        return EMPTY;
    }

    /** The length of the body sent with {@code status}. */
    public static int length(int status) {
        return page(status).length;
    }

    /**
     * Copies the body of {@code status} into {@code dst} at {@code off}.
     *
     * @return the number of bytes written ({@link #length(int)})
     * @throws IndexOutOfBoundsException if it does not fit
     */
    public static int copy(int status, byte[] dst, int off) {
        byte[] p = page(status);
        System.arraycopy(p, 0, dst, off, p.length);
        return p.length;
    }

    /** A copy of the body of {@code status}. */
    public static byte[] body(int status) {
        return page(status).clone();
    }
}
