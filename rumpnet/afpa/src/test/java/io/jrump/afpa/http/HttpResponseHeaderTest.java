package io.jrump.afpa.http;

import static io.jrump.afpa.http.Parse.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden header bytes: what a client reads for each kind of answer. */
class HttpResponseHeaderTest {
    private static final long NOW = 1765000000L;
    private static final String NOW_DATE = "Sat, 06 Dec 2025 05:46:40 GMT";
    private static final long MTIME = 784111777L;
    private static final String MTIME_DATE = "Sun, 06 Nov 1994 08:49:37 GMT";

    private final HttpResponseHeader writer = new HttpResponseHeader("jrump-afpa", new HttpDate(), 5);

    private static HttpRequest parse(String head) {
        HttpRequestParser p = new HttpRequestParser();
        byte[] b = bytes(head);
        assertEquals(HttpRequestParser.Result.COMPLETE, p.feed(b, 0, b.length));
        return p.request();
    }

    private String write(ResponsePlan plan) {
        byte[] buf = new byte[1024];
        buf[6] = 'x';
        int n = writer.write(plan, NOW, buf, 7);
        assertEquals('x', buf[6]);
        assertTrue(n <= writer.maxLength(plan.contentType()));
        return new String(buf, 7, n, StandardCharsets.US_ASCII);
    }

    @Test
    void aWholeFile() {
        HttpRequest r = parse("GET /i.html HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\nLast-Modified: " + MTIME_DATE
                + "\r\nContent-Type: text/html\r\nContent-Length: 1234\r\nAccept-Ranges: bytes\r\n\r\n",
                write(new ResponsePlan().forFile(r, 1234, MTIME, "text/html")));
    }

    @Test
    void aRangeAnUnsatisfiableRangeAndA304() {
        HttpRequest r = parse("GET /v.mp4 HTTP/1.1\r\nHost: h\r\nRange: bytes=10-19\r\nConnection: close\r\n\r\n");
        assertEquals("HTTP/1.1 206 Partial Content\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\nLast-Modified: "
                + MTIME_DATE + "\r\nContent-Type: video/mp4\r\nContent-Length: 10\r\nContent-Range: bytes 10-19/"
                + "1234567890123\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n",
                write(new ResponsePlan().forFile(r, 1234567890123L, MTIME, "video/mp4")));
        assertEquals("HTTP/1.1 416 Range Not Satisfiable\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\n"
                + "Content-Type: text/html\r\nContent-Length: " + ErrorPages.length(416)
                + "\r\nContent-Range: bytes */5\r\nConnection: close\r\n\r\n",
                write(new ResponsePlan().forFile(r, 5, MTIME, "video/mp4")));
        HttpRequest c = parse("GET /v.mp4 HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: " + MTIME_DATE + "\r\n\r\n");
        assertEquals("HTTP/1.1 304 Not Modified\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\nLast-Modified: "
                + MTIME_DATE + "\r\n\r\n", write(new ResponsePlan().forFile(c, 5, MTIME, "video/mp4")));
    }

    @Test
    void http10KeepAliveIsAnnounced() {
        HttpRequest r = parse("HEAD /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertEquals("HTTP/1.1 200 OK\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\nLast-Modified: " + MTIME_DATE
                + "\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nAccept-Ranges: bytes\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
                write(new ResponsePlan().forFile(r, 0, MTIME, "text/plain")));
        HttpRequest c = parse("GET /a.txt HTTP/1.0\r\n\r\n");
        assertTrue(write(new ResponsePlan().forFile(c, 3, MTIME, "text/plain")).endsWith("\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void errors() {
        HttpRequest r = parse("PUT /x HTTP/1.1\r\nHost: h\r\n\r\n");
        int n405 = ErrorPages.length(405);
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\n"
                + "Content-Type: text/html\r\nContent-Length: " + n405 + "\r\nAllow: GET, HEAD\r\n\r\n",
                write(new ResponsePlan().forFile(r, 10, MTIME, "text/plain")));
        assertEquals("HTTP/1.1 404 Not Found\r\nDate: " + NOW_DATE + "\r\nServer: jrump-afpa\r\n"
                + "Content-Type: text/html\r\nContent-Length: " + ErrorPages.length(404) + "\r\n\r\n",
                write(new ResponsePlan().forError(parse("GET /n HTTP/1.1\r\nHost: h\r\n\r\n"), 404)));
        for (int s : new int[] {400, 414, 431, 505}) {
            assertEquals("HTTP/1.1 " + s + " " + HttpStatus.reason(s) + "\r\nDate: " + NOW_DATE
                    + "\r\nServer: jrump-afpa\r\nContent-Type: text/html\r\nContent-Length: " + ErrorPages.length(s)
                    + "\r\nConnection: close\r\n\r\n", write(new ResponsePlan().forError(null, s)));
        }
    }

    @Test
    void aHeaderThatDoesNotFitThrowsInsteadOfWritingPastTheEnd() {
        HttpRequest r = parse("GET /i.html HTTP/1.1\r\nHost: h\r\n\r\n");
        ResponsePlan p = new ResponsePlan().forFile(r, 1234, MTIME, "text/html");
        byte[] small = new byte[100];
        assertThrows(IndexOutOfBoundsException.class, () -> writer.write(p, NOW, small, 0));
    }

    @Test
    void errorPagesNameTheirStatus() {
        for (int s : new int[] {400, 404, 405, 414, 416, 431, 500, 503, 505}) {
            String body = new String(ErrorPages.body(s), StandardCharsets.US_ASCII);
            assertTrue(body.contains("<title>" + s + " " + HttpStatus.reason(s) + "</title>"), body);
            byte[] dst = new byte[300];
            assertEquals(ErrorPages.length(s), ErrorPages.copy(s, dst, 3));
        }
        assertEquals(0, ErrorPages.length(304));
    }

    @Test
    void mimeTypesByExtension() {
        assertEquals("text/html", MimeTypes.forPath("/a/index.HTML"));
        assertEquals("image/png", MimeTypes.forPath("/x.y/pic.png"));
        assertEquals("text/css", MimeTypes.forPath("/s.css"));
        assertEquals(MimeTypes.DEFAULT, MimeTypes.forPath("/x.y/README"));
        assertEquals(MimeTypes.DEFAULT, MimeTypes.forPath("/.profile"));
        assertEquals(MimeTypes.DEFAULT, MimeTypes.forPath("/a."));
        assertEquals(MimeTypes.DEFAULT, MimeTypes.forPath("/a.unknownext"));
        assertEquals(MimeTypes.DEFAULT, MimeTypes.forPath(""));
        assertEquals("application/gzip", MimeTypes.forPath("/a.tar.gz"));
    }
}
