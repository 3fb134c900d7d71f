package io.jrump.afpa.http;

/**
 * Reads a {@code Range} value (RFC 9110 section 14.1.1 and 14.2) into a request: {@code bytes=} followed by
 * a comma-separated list of {@code first-last}, {@code first-} and {@code -suffix} specs. The unit is matched
 * without regard to case (section 14.1); another unit must be ignored; a spec whose last position is before
 * its first makes the field invalid, which a server may ignore (section 14.2), and this one does. Positions
 * too large for a long saturate: they can only lie past the end of any file.
 */
final class RangeSpec {
    private static final String BYTES = "bytes=";

    private RangeSpec() {
    }

    static void parse(byte[] v, int n, HttpRequest req) {
        req.rangeKind = RangeKind.IGNORED;
        if (n < BYTES.length()) {
            return;
        }
        for (int i = 0; i < BYTES.length(); i++) {
            int c = v[i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != BYTES.charAt(i)) {
                return;
            }
        }
        int p = BYTES.length();
        int count = 0;
        long first = -1;
        long last = -1;
        long suffix = -1;
        while (p < n) {
            p = ows(v, p, n);
            if (p < n && v[p] == ',') {
                p++;
                continue;
            }
            if (p >= n) {
                break;
            }
            long f = -1;
            long l = -1;
            long s = -1;
            if (v[p] == '-') {
                p++;
                int q = digitsEnd(v, p, n);
                if (q == p) {
                    return;
                }
                s = number(v, p, q);
                p = q;
            } else {
                int q = digitsEnd(v, p, n);
                if (q == p || q >= n || v[q] != '-') {
                    return;
                }
                f = number(v, p, q);
                p = q + 1;
                q = digitsEnd(v, p, n);
                if (q > p) {
                    l = number(v, p, q);
                    if (l < f) {
                        return;
                    }
                }
                p = q;
            }
            p = ows(v, p, n);
            if (p < n && v[p] != ',') {
                return;
            }
            if (count++ == 0) {
                first = f;
                last = l;
                suffix = s;
            }
        }
        if (count == 0) {
            return;
        }
        req.rangeKind = count == 1 ? RangeKind.SINGLE : RangeKind.MULTIPLE;
        req.rangeFirst = first;
        req.rangeLast = last;
        req.rangeSuffix = suffix;
    }

    private static int ows(byte[] v, int p, int n) {
        while (p < n && (v[p] == ' ' || v[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int digitsEnd(byte[] v, int p, int n) {
        while (p < n && v[p] >= '0' && v[p] <= '9') {
            p++;
        }
        return p;
    }

    private static long number(byte[] v, int p, int q) {
        long x = 0;
        for (int i = p; i < q; i++) {
            if (x > (Long.MAX_VALUE - 9) / 10) {
                return Long.MAX_VALUE;
            }
            x = x * 10 + (v[i] - '0');
        }
        return x;
    }
}
