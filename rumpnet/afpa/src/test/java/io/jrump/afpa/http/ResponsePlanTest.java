package io.jrump.afpa.http;

import static io.jrump.afpa.http.Parse.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Conditional requests and ranges decided by {@link ResponsePlan}, as a client sees them. */
class ResponsePlanTest {
    private static final long SIZE = 1000;
    private static final long MTIME = 784111777L;
    private static final String MTIME_DATE = "Sun, 06 Nov 1994 08:49:37 GMT";

    private static String plan(String method, String... fields) {
        StringBuilder sb = new StringBuilder(method + " /f.html HTTP/1.1\r\nHost: h\r\n");
        for (String f : fields) {
            sb.append(f).append("\r\n");
        }
        HttpRequestParser p = new HttpRequestParser();
        byte[] b = bytes(sb.append("\r\n").toString());
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(b, 0, b.length));
        ResponsePlan r = new ResponsePlan().forFile(p.request(), SIZE, MTIME, "text/html");
        return r.status() + " file=" + (r.bodyFromFile() ? r.fileOffset() + "+" + r.fileLength() : "no")
                + " body=" + r.bodyLength() + " cl=" + r.contentLength()
                + (r.status() == 206 || r.status() == 416
                        ? " cr=" + r.rangeFirst() + "-" + r.rangeLast() + "/" + r.completeLength() : "");
    }

    @Test
    void aPlainGetAndHead() {
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET"));
        assertEquals("200 file=no body=0 cl=1000", plan("HEAD"));
        assertEquals("405 file=no body=" + ErrorPages.length(405) + " cl=" + ErrorPages.length(405), plan("DELETE"));
    }

    @Test
    void ifModifiedSinceGives304WhenTheFileIsNotNewer() {
        assertEquals("304 file=no body=0 cl=-1", plan("GET", "If-Modified-Since: " + MTIME_DATE));
        assertEquals("304 file=no body=0 cl=-1", plan("HEAD", "If-Modified-Since: Sun, 06 Nov 1994 08:49:38 GMT"));
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET", "If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT"));
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET", "If-Modified-Since: garbage"));
        assertEquals("200 file=0+1000 body=1000 cl=1000",
                plan("GET", "If-None-Match: \"x\"", "If-Modified-Since: " + MTIME_DATE));
        assertEquals("304 file=no body=0 cl=-1", plan("GET", "If-None-Match: *"));
        assertEquals("304 file=no body=0 cl=-1", plan("GET", "If-Modified-Since: " + MTIME_DATE, "Range: bytes=0-1"));
    }

    @Test
    void aSingleRangeIs206AndPastTheEndIs416() {
        assertEquals("206 file=100+100 body=100 cl=100 cr=100-199/1000", plan("GET", "Range: bytes=100-199"));
        assertEquals("206 file=990+10 body=10 cl=10 cr=990-999/1000", plan("GET", "Range: bytes=990-5000"));
        assertEquals("206 file=900+100 body=100 cl=100 cr=900-999/1000", plan("GET", "Range: bytes=900-"));
        assertEquals("206 file=750+250 body=250 cl=250 cr=750-999/1000", plan("GET", "Range: bytes=-250"));
        assertEquals("206 file=0+1000 body=1000 cl=1000 cr=0-999/1000", plan("GET", "Range: bytes=-5000"));
        assertEquals("206 file=999+1 body=1 cl=1 cr=999-999/1000", plan("GET", "Range: bytes=999-999"));
        int e = ErrorPages.length(416);
        assertEquals("416 file=no body=" + e + " cl=" + e + " cr=-1--1/1000", plan("GET", "Range: bytes=1000-"));
        assertEquals("416 file=no body=" + e + " cl=" + e + " cr=-1--1/1000", plan("GET", "Range: bytes=-0"));
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET", "Range: bytes=0-1,5-6"));
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET", "Range: lines=0-1"));
        assertEquals("200 file=no body=0 cl=1000", plan("HEAD", "Range: bytes=0-1"));
        assertEquals("206 file=0+2 body=2 cl=2 cr=0-1/1000", plan("GET", "Range: bytes=0-1", "If-Range: " + MTIME_DATE));
        assertEquals("200 file=0+1000 body=1000 cl=1000",
                plan("GET", "Range: bytes=0-1", "If-Range: Sun, 06 Nov 1994 08:49:38 GMT"));
        assertEquals("200 file=0+1000 body=1000 cl=1000", plan("GET", "Range: bytes=0-1", "If-Range: \"tag\""));
    }

    @Test
    void anEmptyFileSatisfiesNoRange() {
        HttpRequestParser p = new HttpRequestParser();
        byte[] b = bytes("GET /e HTTP/1.1\r\nHost: h\r\nRange: bytes=-5\r\n\r\n");
        p.feed(b, 0, b.length);
        assertEquals(416, new ResponsePlan().forFile(p.request(), 0, MTIME, "text/plain").status());
    }

    @Test
    void errorsKeepTheConnectionOnlyWhenTheyMay() {
        HttpRequestParser p = new HttpRequestParser();
        byte[] b = bytes("GET /missing HTTP/1.1\r\nHost: h\r\n\r\n");
        p.feed(b, 0, b.length);
        ResponsePlan r = new ResponsePlan();
        assertTrue(r.forError(p.request(), 404).keepAlive());
        assertTrue(r.bodyFromErrorPage());
        assertFalse(r.forError(p.request(), 503).keepAlive());
        assertFalse(r.forError(null, 400).keepAlive());
        assertEquals(HttpVersion.HTTP_1_1, r.version());
    }
}
