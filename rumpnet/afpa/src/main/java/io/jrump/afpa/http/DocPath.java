package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * Turns the path of a request-target into a path under the document root that cannot leave it.
 *
 * <p>The path is percent-decoded once (RFC 3986 section 2.1; a decoded {@code %25} stays a literal percent
 * sign, never decoded again) and then its dot segments are removed (RFC 3986 section 5.2.4), so that
 * {@code %2e%2e} and {@code .%2E} are the {@code ..} they mean. The result is refused (400) when:
 * <ul>
 * <li>a {@code ..} would climb above the root: a client asking for that is probing, and answering the root
 * instead (what RFC 3986 does for references) would hide it;
 * <li>it contains an encoded slash {@code %2f}: it would make one segment into two after the client's
 * idea of the path was checked, which is how encoded traversals get past front ends;
 * <li>it contains a backslash, raw or {@code %5c}: a separator on some hosts, never a name character here;
 * <li>it contains NUL or another control character, raw or encoded: no file name holds one, and NUL ends
 * names in host calls;
 * <li>the decoded bytes are not well-formed UTF-8 (RFC 3629 section 3), overlong forms such as
 * {@code %c0%ae} for {@code .} and {@code %c0%af} for {@code /} included, and surrogates;
 * <li>the target holds raw bytes above 0x7f (RFC 9112 section 3.2: a request-target is ASCII) or a
 * {@code #} (a fragment is never sent, RFC 9110 section 7.1), or a {@code %} not followed by two hex digits.
 * </ul>
 * Empty segments collapse ({@code //} is {@code /}), {@code .} segments go, and a trailing slash is kept,
 * since it tells a directory from a file.
 *
 * <p>What this cannot see is the file system: a symbolic link under the document root may point outside it.
 * The caller resolves the path with the lookup that keeps it inside (the accelerator refuses a link whose
 * target leaves the root; the user-level server does the same), and answers 404 when it would leave.
 *
 * <p>The normalisation works in place over the bytes it is given (the output is never longer than the
 * input), so the parser runs it over its own buffer without allocating.
 */
public final class DocPath {
    /** What {@link #normalize(byte[], int, int)} returns for a refused path: minus status 400. */
    public static final int REFUSED = -HttpStatus.BAD_REQUEST;
    /**
     * The file served for a path that names a directory, with or without its trailing slash. Both servers
     * follow this rule, so that they answer alike.
     */
    public static final String INDEX = "index.html";

    private DocPath() {
    }

    /**
     * Normalises the raw path {@code b[off, off+len)} (from the request-target, without its query) in place.
     *
     * @return the length of the normalised path, which starts at {@code off} with a slash; or
     *     {@link #REFUSED}
     */
    public static int normalize(byte[] b, int off, int len) {
        int end = off + len;
        if (len <= 0 || b[off] != '/') {
            return REFUSED;
        }
        int r = off;
        int w = off;
        boolean trailing = false;
        while (r < end) {
            r++;
            int segStart = w + 1;
            int sw = segStart;
            int need = 0;
            int lo = 0x80;
            int hi = 0xbf;
            while (r < end && b[r] != '/') {
                int c = b[r] & 0xff;
                if (c == '%') {
                    if (r + 2 >= end) {
                        return REFUSED;
                    }
                    int h = hex(b[r + 1]);
                    int l = hex(b[r + 2]);
                    if (h < 0 || l < 0) {
                        return REFUSED;
                    }
                    c = h << 4 | l;
                    r += 3;
                    if (c == '/') {
                        return REFUSED;
                    }
                } else {
                    r++;
                    if (c >= 0x80 || c == '#') {
                        return REFUSED;
                    }
                }
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    return REFUSED;
                }
                if (need == 0) {
                    if (c >= 0x80) {
                        if (c >= 0xc2 && c <= 0xdf) {
                            need = 1;
                        } else if (c == 0xe0) {
                            need = 2;
                            lo = 0xa0;
                        } else if (c >= 0xe1 && c <= 0xef) {
                            need = 2;
                            hi = c == 0xed ? 0x9f : 0xbf;
                        } else if (c == 0xf0) {
                            need = 3;
                            lo = 0x90;
                        } else if (c >= 0xf1 && c <= 0xf4) {
                            need = 3;
                            hi = c == 0xf4 ? 0x8f : 0xbf;
                        } else {
                            return REFUSED;
                        }
                    }
                } else {
                    if (c < lo || c > hi) {
                        return REFUSED;
                    }
                    need--;
                    lo = 0x80;
                    hi = 0xbf;
                }
                b[sw++] = (byte) c;
            }
            if (need != 0) {
                return REFUSED;
            }
            int n = sw - segStart;
            boolean last = r >= end;
            if (n == 0 || (n == 1 && b[segStart] == '.')) {
                trailing = last;
            } else if (n == 2 && b[segStart] == '.' && b[segStart + 1] == '.') {
                if (w == off) {
                    return REFUSED;
                }
                do {
                    w--;
                } while (b[w] != '/');
                trailing = last;
            } else {
                b[w] = '/';
                w = sw;
                trailing = false;
            }
        }
        if (w == off) {
            b[off] = '/';
            return 1;
        }
        if (trailing) {
            b[w++] = '/';
        }
        return w - off;
    }

    /**
     * {@link #normalize(byte[], int, int)} of a string (the user-level server and tests; allocates).
     *
     * @return the normalised path, or null when it is refused
     */
    public static String normalize(String rawPath) {
        byte[] b = rawPath.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < rawPath.length(); i++) {
            if (rawPath.charAt(i) > 0xff) {
                return null;
            }
        }
        int n = normalize(b, 0, b.length);
        return n < 0 ? null : new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The rump path of a normalised request path under {@code docroot} (a rump path such as {@code /www}, with
     * or without a trailing slash).
     */
    public static String resolve(String docroot, String normalizedPath) {
        int n = docroot.length();
        while (n > 0 && docroot.charAt(n - 1) == '/') {
            n--;
        }
        return docroot.substring(0, n) + normalizedPath;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
