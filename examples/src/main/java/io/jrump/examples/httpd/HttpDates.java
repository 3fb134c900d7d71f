package io.jrump.examples.httpd;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates in RFC 9110 section 5.6.7's IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}). The
 * current date is formatted at most once a second and shared: a server answers many requests within
 * one second.
 */
final class HttpDates {
    private static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** The date of one second, as bytes. */
    private record Stamp(long second, byte[] bytes) {
    }

    private volatile Stamp now = new Stamp(Long.MIN_VALUE, new byte[0]);

    /** The current date's bytes (29 of them). */
    byte[] now(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        Stamp st = now;
        if (st.second != s) {
            st = new Stamp(s, format(s));
            now = st;
        }
        return st.bytes;
    }

    static byte[] format(long epochSecond) {
        return IMF.format(Instant.ofEpochSecond(epochSecond)).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Epoch seconds of an IMF-fixdate, or -1 for anything else: section 13.1.3 has a server ignore an
     * {@code If-Modified-Since} that is not a valid date (the obsolete forms are treated as invalid).
     */
    static long parse(String s) {
        try {
            return ZonedDateTime.parse(s, IMF).toEpochSecond();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
