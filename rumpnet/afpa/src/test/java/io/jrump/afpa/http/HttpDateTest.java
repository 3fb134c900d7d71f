package io.jrump.afpa.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** IMF-fixdate output and the three input forms of RFC 9110 section 5.6.7. */
class HttpDateTest {
    private static final DateTimeFormatter IMF =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @Test
    void theRfcExampleInAllThreeForms() {
        assertEquals(784111777L, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(784111777L, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(784111777L, HttpDate.parse("Sun Nov  6 08:49:37 1994"));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.toString(784111777L));
    }

    @Test
    void formattingAgreesWithJavaTimeAndTheCacheFollowsTheSecond() {
        HttpDate d = new HttpDate();
        byte[] b = new byte[40];
        SplittableRandom r = new SplittableRandom(9110);
        long[] fixed = {0, 951782400L, 4107542399L, HttpDate.MAX_SECONDS, 1, 1, 2};
        for (int i = 0; i < 5000; i++) {
            long s = i < fixed.length ? fixed[i] : r.nextLong(0, HttpDate.MAX_SECONDS + 1);
            assertEquals(HttpDate.LENGTH, d.format(s, b, 3));
            String want = IMF.format(Instant.ofEpochSecond(s));
            assertEquals(want, new String(b, 3, HttpDate.LENGTH, StandardCharsets.US_ASCII), "second " + s);
            assertEquals(s, HttpDate.parse(want));
            assertEquals(s, HttpDate.parse(ASCTIME.format(Instant.ofEpochSecond(s))), "asctime " + s);
            int year = Instant.ofEpochSecond(s).atZone(ZoneOffset.UTC).getYear();
            if (year >= 1970 && year < 2070) {
                assertEquals(s, HttpDate.parse(RFC850.format(Instant.ofEpochSecond(s))), "rfc850 " + s);
            }
        }
    }

    @Test
    void outOfRangeSecondsAreClamped() {
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.toString(-5));
        assertEquals("Fri, 31 Dec 9999 23:59:59 GMT", HttpDate.toString(Long.MAX_VALUE));
    }

    @Test
    void malformedDatesAreMinusOne() {
        String[] bad = {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sundy, 06-Nov-94 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
            "Sun Nov  6 08:49:37 94", "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 0a Nov 1994 08:49:37 GMT"};
        for (String s : bad) {
            assertEquals(-1, HttpDate.parse(s), s);
        }
        assertEquals(0, HttpDate.parse("Wed, 01 Jan 1969 00:00:00 GMT"));
        assertEquals(HttpDate.parse("Sun, 06 Nov 1994 08:49:59 GMT"), HttpDate.parse("Sun, 06 Nov 1994 08:49:60 GMT"));
        assertEquals(951782400L, HttpDate.parse("Tue, 29 Feb 2000 00:00:00 GMT"));
    }
}
