package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * HTTP dates (RFC 9110 section 5.6.7): formatting as IMF-fixdate for {@code Date} and {@code Last-Modified},
 * and parsing of the three forms a recipient must accept, for {@code If-Modified-Since} and {@code If-Range}.
 *
 * <p>Formatting is cached per second: every response carries a {@code Date} and most are sent within the
 * same second as the one before, so the 29 bytes are built once a second and copied after that. The cache
 * is this instance's (one per kernel or per server, never static, since many kernels share a JVM) and is
 * safe to use from several threads: it is one immutable pair published through a volatile field. Parsing
 * is hand-written over bytes rather than through {@code java.time} because it runs for every conditional
 * request on the accelerator's softint path, where it must not allocate.
 */
public final class HttpDate {
    /** The length of an IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    public static final int LENGTH = 29;
    /** 9999-12-31T23:59:59Z, the last second a four-digit year can show. */
    static final long MAX_SECONDS = 253402300799L;

    private static final byte[] DAYS = "SunMonTueWedThuFriSat".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec".getBytes(StandardCharsets.US_ASCII);
    private static final String[] LONG_DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
        "Saturday"};

    private record Formatted(long second, byte[] bytes) {
    }

    private volatile Formatted last = new Formatted(Long.MIN_VALUE, new byte[LENGTH]);

    /**
     * Writes {@code epochSeconds} as an IMF-fixdate into {@code dst} at {@code off}; seconds outside
     * 1970..9999 are clamped.
     *
     * @return {@link #LENGTH}
     */
    public int format(long epochSeconds, byte[] dst, int off) {
        long s = Math.max(0, Math.min(MAX_SECONDS, epochSeconds));
        Formatted f = last;
        if (f.second != s) {
            byte[] b = new byte[LENGTH];
            formatInto(s, b, 0);
            f = new Formatted(s, b);
            last = f;
        }
        System.arraycopy(f.bytes, 0, dst, off, LENGTH);
        return LENGTH;
    }

    /** {@code epochSeconds} as an IMF-fixdate string (for logs and tests; allocates). */
    public static String toString(long epochSeconds) {
        byte[] b = new byte[LENGTH];
        formatInto(Math.max(0, Math.min(MAX_SECONDS, epochSeconds)), b, 0);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static void formatInto(long s, byte[] b, int o) {
        long days = Math.floorDiv(s, 86400);
        int sod = (int) (s - days * 86400);
        int wd = (int) Math.floorMod(days + 4, 7);
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        int y = (int) (yoe + era * 400 + (m <= 2 ? 1 : 0));
        System.arraycopy(DAYS, wd * 3, b, o, 3);
        b[o + 3] = ',';
        b[o + 4] = ' ';
        two(b, o + 5, d);
        b[o + 7] = ' ';
        System.arraycopy(MONTHS, (m - 1) * 3, b, o + 8, 3);
        b[o + 11] = ' ';
        two(b, o + 12, y / 100);
        two(b, o + 14, y % 100);
        b[o + 16] = ' ';
        two(b, o + 17, sod / 3600);
        b[o + 19] = ':';
        two(b, o + 20, sod / 60 % 60);
        b[o + 22] = ':';
        two(b, o + 23, sod % 60);
        b[o + 25] = ' ';
        b[o + 26] = 'G';
        b[o + 27] = 'M';
        b[o + 28] = 'T';
    }

    private static void two(byte[] b, int o, int v) {
        b[o] = (byte) ('0' + v / 10);
        b[o + 1] = (byte) ('0' + v % 10);
    }

    /** {@link #parse(byte[], int, int)} of a string's ASCII bytes (tests and tools; allocates). */
    public static long parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return parse(b, 0, b.length);
    }

    /**
     * Parses an HTTP-date in any of the three forms of RFC 9110 section 5.6.7: IMF-fixdate
     * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT})
     * and asctime ({@code Sun Nov  6 08:49:37 1994}). Names are case-sensitive as the grammar says; the weekday
     * must be a real day name but is not checked against the date, which only a sender could get wrong.
     *
     * <p>The two-digit year of the RFC 850 form is read as 1970..2069. RFC 9110 asks for the most recent year
     * with those digits that is not more than 50 years ahead of the recipient's clock; this code has no clock,
     * and the fixed window differs from that rule only for years a conditional request cannot sensibly carry.
     *
     * @return seconds since the epoch (0 for a date before 1970, a leap second 60 read as 59), or -1 if the
     *     bytes are not an HTTP-date, which a recipient of {@code If-Modified-Since} must then ignore
     */
    public static long parse(byte[] b, int off, int len) {
        if (len == LENGTH && b[off + 3] == ',') {
            return imf(b, off);
        }
        if (len == 24 && b[off + 3] == ' ') {
            return asctime(b, off);
        }
        return rfc850(b, off, len);
    }

    private static long imf(byte[] b, int o) {
        if (dayIndex(b, o) < 0 || b[o + 4] != ' ' || b[o + 7] != ' ' || b[o + 11] != ' ' || b[o + 16] != ' '
                || b[o + 25] != ' ' || b[o + 26] != 'G' || b[o + 27] != 'M' || b[o + 28] != 'T') {
            return -1;
        }
        int d = digits(b, o + 5, 2);
        int m = monthIndex(b, o + 8);
        int y = digits(b, o + 12, 4);
        return civil(y, m, d, b, o + 17);
    }

    private static long asctime(byte[] b, int o) {
        if (dayIndex(b, o) < 0 || b[o + 7] != ' ' || b[o + 10] != ' ' || b[o + 19] != ' ') {
            return -1;
        }
        int m = monthIndex(b, o + 4);
        int d = b[o + 8] == ' ' ? digits(b, o + 9, 1) : digits(b, o + 8, 2);
        int y = digits(b, o + 20, 4);
        return civil(y, m, d, b, o + 11);
    }

    private static long rfc850(byte[] b, int o, int len) {
        int wd = -1;
        int n = 0;
        for (int i = 0; i < LONG_DAYS.length && wd < 0; i++) {
            String name = LONG_DAYS[i];
            n = name.length();
            if (len == n + 24 && startsWith(b, o, name)) {
                wd = i;
            }
        }
        if (wd < 0) {
            return -1;
        }
        int p = o + n;
        if (b[p] != ',' || b[p + 1] != ' ' || b[p + 4] != '-' || b[p + 8] != '-' || b[p + 11] != ' '
                || b[p + 20] != ' ' || b[p + 21] != 'G' || b[p + 22] != 'M' || b[p + 23] != 'T') {
            return -1;
        }
        int d = digits(b, p + 2, 2);
        int m = monthIndex(b, p + 5);
        int yy = digits(b, p + 9, 2);
        if (yy < 0) {
            return -1;
        }
        return civil(yy < 70 ? 2000 + yy : 1900 + yy, m, d, b, p + 12);
    }

    /** Checks a date and the {@code hh:mm:ss} at {@code t} and converts them to epoch seconds. */
    private static long civil(int y, int m, int d, byte[] b, int t) {
        if (y < 0 || m < 0 || d < 1 || b[t + 2] != ':' || b[t + 5] != ':') {
            return -1;
        }
        int hh = digits(b, t, 2);
        int mm = digits(b, t + 3, 2);
        int ss = digits(b, t + 6, 2);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) {
            return -1;
        }
        int month = m + 1;
        if (d > daysInMonth(y, month)) {
            return -1;
        }
        long days = daysFromCivil(y, month, d);
        long s = days * 86400 + hh * 3600L + mm * 60L + Math.min(ss, 59);
        return Math.max(0, s);
    }

    private static int daysInMonth(int y, int m) {
        return switch (m) {
            case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to a proleptic Gregorian date (the era arithmetic of the civil calendar). */
    static long daysFromCivil(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static int digits(byte[] b, int o, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int c = b[o + i] - '0';
            if (c < 0 || c > 9) {
                return -1;
            }
            v = v * 10 + c;
        }
        return v;
    }

    private static int dayIndex(byte[] b, int o) {
        return index3(DAYS, b, o);
    }

    private static int monthIndex(byte[] b, int o) {
        return index3(MONTHS, b, o);
    }

    private static int index3(byte[] names, byte[] b, int o) {
        for (int i = 0; i < names.length; i += 3) {
            if (names[i] == b[o] && names[i + 1] == b[o + 1] && names[i + 2] == b[o + 2]) {
                return i / 3;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int o, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[o + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
