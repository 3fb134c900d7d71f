package io.jrump.afpa.http;

import static io.jrump.afpa.http.Parse.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The path of a cached GET allocates nothing: parsing a conditional range request fed in pieces, choosing the
 * MIME type from the path bytes, planning the answer and writing its header, over and over on one connection's
 * parser. The accelerator runs this on the network softint for every request, where garbage would be paid
 * for per packet.
 */
class NoGarbageTest {
    @Test
    void aCachedGetAllocatesNothing() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
        Assumptions.assumeTrue(tmx.isThreadAllocatedMemorySupported() && tmx.isThreadAllocatedMemoryEnabled());
        byte[] req = bytes("GET /docs/%7euser/a/../index.html?x=1 HTTP/1.1\r\nHost: example.org\r\n"
                + "User-Agent: curl/8.0\r\nAccept: */*\r\nIf-Modified-Since: Sat, 05 Nov 1994 08:49:37 GMT\r\n"
                + "Range: bytes=10-99\r\nIf-Range: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n");
        HttpRequestParser p = new HttpRequestParser();
        ResponsePlan plan = new ResponsePlan();
        HttpResponseHeader w = new HttpResponseHeader(HttpResponseHeader.SERVER, new HttpDate(), 5);
        byte[] out = new byte[1024];
        long sink = 0;
        for (int round = 0; round < 2; round++) {
            long tid = Thread.currentThread().getId();
            long before = tmx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20000; i++) {
                p.reset();
                int cut = i % req.length;
                p.feed(req, 0, cut);
                HttpRequestParser.Result r = p.feed(req, cut, req.length - cut);
                HttpRequest q = p.request();
                String type = MimeTypes.forPath(q.pathBytes(), 0, q.pathLength());
                plan.forFile(q, 5000, 784111777L, type);
                sink += w.write(plan, 1765000000L, out, 0) + r.ordinal();
            }
            long allocated = tmx.getThreadAllocatedBytes(tid) - before;
            if (round == 1) {
                assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 20,000 requests");
            }
        }
        assertEquals(206, plan.status());
        assertEquals("/docs/~user/index.html", p.request().path());
        assertTrue(sink > 0);
    }
}
