package io.jrump.afpa.http;

import static io.jrump.afpa.http.Parse.bytes;
import static io.jrump.afpa.http.Parse.whole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden parses of request heads, keep-alive per version, limits, framing and pipelining. */
class HttpRequestParserTest {
    private static final String IMF = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final long IMF_SECONDS = 784111777L;

    /** Requests whose parse must not depend on where the bytes are cut (used by the split test too). */
    static final String[] GOLDEN_REQUESTS = {
        "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n",
        "GET /index.html HTTP/1.0\r\n\r\n",
        "HEAD /a/b/../c.txt?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        "GET /docs/%7euser/f%20g.html HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        "GET /big.bin HTTP/1.1\r\nHost: h:8080\r\nRange: bytes=100-199\r\nIf-Range: " + IMF + "\r\n\r\n",
        "GET /f HTTP/1.1\r\nhOsT: h\r\nIf-Modified-Since: " + IMF + "\r\n\r\n",
        "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
        "\r\n\r\nGET http://example.org/x/y HTTP/1.1\r\nHost: example.org\r\n\r\n",
        "GET /lf HTTP/1.1\nHost: h\nConnection: TE, close\n\n",
        "GET /r HTTP/1.1\r\nHost: h\r\nRange: bytes=-500\r\nIf-None-Match: *\r\n\r\n",
        "GET /r HTTP/1.1\r\nHost: h\r\nRange: bytes=0-0, -1\r\n\r\n",
        "GET /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET /../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /x HTTP/1.1\r\n\r\n",
    };

    static final String[] GOLDEN_PARSES = {
        "GET / HTTP_1_1 keep-alive length=37 taken=37",
        "GET /index.html HTTP_1_0 close length=28 taken=28",
        "HEAD /a/c.txt HTTP_1_1 close query length=63 taken=63",
        "GET /docs/~user/f g.html HTTP_1_0 keep-alive length=65 taken=65",
        "GET /big.bin HTTP_1_1 keep-alive range=SINGLE(100,199,-1) if-range=DATE(784111777) length=102 taken=102",
        "GET /f HTTP_1_1 keep-alive ims=784111777 length=78 taken=78",
        "OTHER  HTTP_1_1 keep-alive cl=11 length=63 taken=63",
        "GET /x/y HTTP_1_1 keep-alive length=62 taken=62",
        "GET /lf HTTP_1_1 close length=48 taken=48",
        "GET /r HTTP_1_1 keep-alive inm=ANY range=SINGLE(-1,-1,500) length=65 taken=65",
        "GET /r HTTP_1_1 keep-alive range=MULTIPLE length=50 taken=50",
        "GET /t HTTP_1_1 close te length=56 taken=56",
        "ERROR 400 taken=19",
        "ERROR 400 taken=19",
    };

    @Test
    void goldenParses() {
        for (int i = 0; i < GOLDEN_REQUESTS.length; i++) {
            assertEquals(GOLDEN_PARSES[i], whole(GOLDEN_REQUESTS[i]), GOLDEN_REQUESTS[i]);
        }
    }

    @Test
    void everySplitPointGivesTheSameParse() {
        HttpRequestParser p = new HttpRequestParser();
        for (String req : GOLDEN_REQUESTS) {
            byte[] b = bytes(req);
            String expect = Parse.feed(p, b);
            for (int a = 0; a <= b.length; a++) {
                assertEquals(expect, Parse.feed(p, b, a), "cut at " + a + " of " + req);
            }
            for (int a = 0; a <= b.length; a += 3) {
                for (int c = a; c <= b.length; c += 5) {
                    assertEquals(expect, Parse.feed(p, b, a, c), "cuts at " + a + "," + c + " of " + req);
                }
            }
            int[] all = new int[b.length];
            for (int k = 0; k < b.length; k++) {
                all[k] = k;
            }
            assertEquals(expect, Parse.feed(p, b, all), "byte by byte: " + req);
        }
    }

    @Test
    void keepAliveFollowsVersionAndConnection() {
        assertEquals("GET /a HTTP_1_1 keep-alive length=28 taken=28", whole("GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\n"));
        assertTrue(whole("GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n").contains(" keep-alive "));
        assertTrue(whole("GET /a HTTP/1.1\r\nHost: h\r\nConnection: upgrade,  CLOSE \r\n\r\n").contains(" close "));
        assertTrue(whole("GET /a HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n").contains(" keep-alive "));
        assertTrue(whole("GET /a HTTP/1.1\r\nHost: h\r\nConnection: clo se\r\n\r\n").contains(" keep-alive "));
        assertTrue(whole("GET /a HTTP/1.0\r\n\r\n").contains(" close "));
        assertTrue(whole("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").contains(" keep-alive "));
        assertTrue(whole("GET /a HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").contains(" close "));
        assertTrue(whole("GET /a HTTP/1.9\r\nHost: h\r\n\r\n").contains(" HTTP_1_1 keep-alive "));
    }

    @Test
    void errorsAnswerTheRightStatus() {
        assertEquals("ERROR 505 taken=16", whole("GET / HTTP/2.0\r\n\r\n"));
        assertEquals("ERROR 400 taken=7", whole("GET /a\r\n\r\n"));
        assertEquals("ERROR 400 taken=17", whole("GET / HTTP/1.1\r\n Host: h\r\n\r\n"));
        assertEquals("ERROR 400 taken=21", whole("GET / HTTP/1.1\r\nHost : h\r\n\r\n"));
        assertEquals("ERROR 400", whole("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET / HTTP/1.1\r\nHost: a b\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET  / HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("get\t/ HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET / http/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET * HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400", whole("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n").substring(0, 9));
        assertEquals("ERROR 400",
                whole("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").substring(0, 9));
        assertEquals("ERROR 400", whole("GET /\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9));
        assertTrue(whole("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").startsWith("OTHER "));
        assertTrue(whole("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").startsWith("OTHER "));
    }

    @Test
    void requestLineOverTheLimitIs414AndHeadersOverTheLimitAre431() {
        HttpLimits lim = new HttpLimits(100, 200, 5);
        HttpRequestParser p = new HttpRequestParser(lim);
        String atLimit = "GET /" + "a".repeat(100 - 16) + " HTTP/1.1\r\n";
        assertEquals(100, atLimit.length());
        assertTrue(Parse.feed(p, bytes(atLimit + "Host: h\r\n\r\n")).startsWith("GET /aaa"));
        assertEquals("ERROR 414 taken=101", Parse.feed(p, bytes("GET /" + "a".repeat(100 - 15) + " HTTP/1.1\r\n\r\n")));
        assertEquals("ERROR 414 taken=101", Parse.feed(p, bytes("GET /" + "a".repeat(200))));
        assertEquals("ERROR 400 taken=101", Parse.feed(p, bytes("\r\n".repeat(60))));
        String fields = "Host: h\r\nX: " + "v".repeat(200 - 9 - 5 - 2) + "\r\n";
        assertEquals(198, fields.length());
        assertTrue(Parse.feed(p, bytes("GET / HTTP/1.1\r\n" + fields + "\r\n")).startsWith("GET / "));
        assertEquals("ERROR 431 taken=217", Parse.feed(p, bytes("GET / HTTP/1.1\r\n" + fields + "X: 1\r\n\r\n")));
        assertTrue(Parse.feed(p, bytes("GET / HTTP/1.1\r\nHost: h\r\n" + "A: 1\r\n".repeat(4) + "\r\n"))
                .startsWith("GET / "));
        assertEquals("ERROR 431 taken=50",
                Parse.feed(p, bytes("GET / HTTP/1.1\r\nHost: h\r\n" + "A: 1\r\n".repeat(5) + "\r\n")));
    }

    @Test
    void conditionalAndRangeFieldsAreReadPerRfc9110() {
        String h = "GET /f HTTP/1.1\r\nHost: h\r\n";
        assertTrue(whole(h + "If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n\r\n").contains("ims=" + IMF_SECONDS));
        assertTrue(whole(h + "If-Modified-Since: Sun Nov  6 08:49:37 1994\r\n\r\n").contains("ims=" + IMF_SECONDS));
        assertFalse(whole(h + "If-Modified-Since: yesterday\r\n\r\n").contains("ims="));
        assertFalse(whole(h + "If-Modified-Since: " + IMF + "\r\nIf-Modified-Since: " + IMF + "\r\n\r\n")
                .contains("ims="));
        assertTrue(whole(h + "If-None-Match: \"abc\"\r\n\r\n").contains("inm=TAGS"));
        assertTrue(whole(h + "Range: bytes=5-\r\n\r\n").contains("range=SINGLE(5,-1,-1)"));
        assertTrue(whole(h + "Range: BYTES=5-9\r\n\r\n").contains("range=SINGLE(5,9,-1)"));
        assertTrue(whole(h + "Range: bytes=9-5\r\n\r\n").contains("range=IGNORED"));
        assertTrue(whole(h + "Range: items=0-5\r\n\r\n").contains("range=IGNORED"));
        assertTrue(whole(h + "Range: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n").contains("range=IGNORED"));
        assertTrue(whole(h + "Range: bytes=99999999999999999999999-\r\n\r\n")
                .contains("range=SINGLE(" + Long.MAX_VALUE + ",-1,-1)"));
        assertTrue(whole(h + "Range: bytes=0-5\r\nIf-Range: \"etag\"\r\n\r\n").contains("if-range=OTHER"));
    }

    @Test
    void pipelinedRequestsAreFoundOneAfterAnother() {
        String a = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
        String b = "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
        String c = "HEAD /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        byte[] all = bytes(a + b + c);
        for (int piece = 1; piece <= all.length; piece++) {
            List<String> got = new ArrayList<>();
            HttpRequestParser p = new HttpRequestParser();
            int off = 0;
            while (off < all.length) {
                int end = Math.min(all.length, off + piece);
                int at = off;
                while (at < end) {
                    HttpRequestParser.Result r = p.feed(all, at, end - at);
                    at += p.consumed();
                    if (r == HttpRequestParser.Result.COMPLETE) {
                        got.add(p.request().method() + " " + p.request().path() + " " + p.request().length());
                        p.reset();
                    } else {
                        assertEquals(HttpRequestParser.Result.NEED_MORE, r);
                    }
                }
                off = end;
            }
            assertEquals(List.of("GET /one " + a.length(), "OTHER  " + b.length(), "HEAD /three " + c.length()), got,
                    "pieces of " + piece);
            assertFalse(p.started());
        }
    }

    @Test
    void aCompletedParserTakesNothingUntilReset() {
        HttpRequestParser p = new HttpRequestParser();
        byte[] b = bytes("GET / HTTP/1.0\r\n\r\nGET /next HTTP/1.0\r\n\r\n");
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(b, 0, b.length));
        assertEquals(18, p.consumed());
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(b, 18, b.length - 18));
        assertEquals(0, p.consumed());
        p.reset();
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(b, 18, b.length - 18));
        assertEquals("/next", p.request().path());
        byte[] bad = bytes("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n");
        p.reset();
        assertEquals(HttpRequestParser.Result.ERROR, p.feed(bad, 0, bad.length));
        assertEquals(HttpRequestParser.Result.ERROR, p.feed(b, 0, b.length));
        assertEquals(0, p.consumed());
    }

    @Test
    void aContentLengthBodyIsSkippedEvenWhenItArrivesLate() {
        HttpRequestParser p = new HttpRequestParser();
        byte[] head = bytes("GET /g HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n");
        assertEquals(HttpRequestParser.Result.NEED_MORE, p.feed(head, 0, head.length));
        assertTrue(p.inBody());
        byte[] body = bytes("12345GET");
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(body, 0, body.length));
        assertEquals(5, p.consumed());
        assertEquals(head.length + 5, p.request().length());
        assertTrue(p.request().keepAlive());
    }
}
