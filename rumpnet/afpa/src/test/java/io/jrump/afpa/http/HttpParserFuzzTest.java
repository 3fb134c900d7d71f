package io.jrump.afpa.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Jazzer fuzz target for the request parser. The first input byte picks how the rest is cut into pieces
 * (and, by its top bit, small limits so that 414 and 431 are reached); the rest is a connection's bytes,
 * parsed as a sequence of pipelined requests. The properties: nothing throws; the pieces give exactly the
 * parses the whole input gives; every path the parser yields stays under the document root (starts with a
 * slash, no {@code .} or {@code ..} segment, no empty segment, no backslash, NUL or control byte, well-formed
 * UTF-8), so {@link DocPath#resolve} keeps it below the root; and a response can be planned and its header
 * written for every parsed request within {@link HttpResponseHeader#maxLength(String)}.
 *
 * <p>Without {@code JAZZER_FUZZ} the target replays its seeds in
 * {@code src/test/resources/io/jrump/afpa/http/HttpParserFuzzTestInputs/parse/};
 * {@link #seededMutations()} adds a fixed-seed batch of mutated requests to every build.
 */
class HttpParserFuzzTest {
    private static final HttpLimits SMALL = new HttpLimits(64, 128, 4);
    private static final HttpResponseHeader WRITER = new HttpResponseHeader("jrump-afpa", new HttpDate(), 5);

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] data) {
        run(data);
    }

    /** Mutations of the golden requests from a fixed seed, so every build explores beyond the stored seeds. */
    @Test
    void seededMutations() {
        SplittableRandom r = new SplittableRandom(20261207);
        String[] alphabet = {"/", "..", ".", "%2e", "%2f", "%5c", "%00", "%c0%ae", "\\", "\r\n", "\n", "\r", " ",
            ":", ",", "-", "=", "%", "Host: h\r\n", "Range: bytes=", "Connection: close", "\u0000", "\u00ff",
            "Content-Length: 2\r\n", "Transfer-Encoding: chunked\r\n"};
        for (int i = 0; i < 3000; i++) {
            String base = HttpRequestParserTest.GOLDEN_REQUESTS[r.nextInt(HttpRequestParserTest.GOLDEN_REQUESTS.length)];
            StringBuilder sb = new StringBuilder(base);
            int edits = r.nextInt(1, 6);
            for (int k = 0; k < edits; k++) {
                int at = r.nextInt(sb.length() + 1);
                switch (r.nextInt(3)) {
                    case 0 -> sb.insert(at, alphabet[r.nextInt(alphabet.length)]);
                    case 1 -> {
                        if (at < sb.length()) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < sb.length()) {
                            sb.setCharAt(at, (char) r.nextInt(256));
                        }
                    }
                }
            }
            if (r.nextBoolean()) {
                sb.append(HttpRequestParserTest.GOLDEN_REQUESTS[r.nextInt(HttpRequestParserTest.GOLDEN_REQUESTS.length)]);
            }
            byte[] req = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] in = new byte[req.length + 1];
            in[0] = (byte) r.nextInt(256);
            System.arraycopy(req, 0, in, 1, req.length);
            run(in);
        }
    }

    static void run(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xff;
        byte[] b = Arrays.copyOfRange(data, 1, data.length);
        HttpLimits limits = (mode & 0x80) != 0 ? SMALL : HttpLimits.DEFAULT;
        List<String> whole = parseAll(b, limits, new int[] {Math.max(1, b.length)});
        int[] pieces = {1 + (mode & 0x0f), 1 + (mode >> 4 & 0x07)};
        assertEquals(whole, parseAll(b, limits, pieces), "split by " + Arrays.toString(pieces));
        assertEquals(whole, parseAll(b, limits, new int[] {1}), "byte by byte");
    }

    /** Parses {@code b} as pipelined requests, fed in pieces cycling through {@code sizes}. */
    private static List<String> parseAll(byte[] b, HttpLimits limits, int[] sizes) {
        List<String> out = new ArrayList<>();
        HttpRequestParser p = new HttpRequestParser(limits);
        ResponsePlan plan = new ResponsePlan();
        byte[] head = new byte[1024];
        int off = 0;
        int k = 0;
        while (off < b.length) {
            int end = Math.min(b.length, off + sizes[k++ % sizes.length]);
            while (off < end) {
                HttpRequestParser.Result r = p.feed(b, off, end - off);
                int c = p.consumed();
                assertTrue(c >= 0 && c <= end - off, "consumed " + c);
                off += c;
                if (r == HttpRequestParser.Result.ERROR) {
                    int s = p.errorStatus();
                    assertTrue(s == 400 || s == 414 || s == 431 || s == 505, "status " + s);
                    out.add(Parse.render(p, r));
                    WRITER.write(plan.forError(null, s), 0, head, 0);
                    return out;
                }
                if (r == HttpRequestParser.Result.COMPLETE) {
                    HttpRequest q = p.request();
                    checkPath(q);
                    assertTrue(q.length() > 0);
                    out.add(Parse.render(p, r));
                    String type = MimeTypes.forPath(q.pathBytes(), 0, q.pathLength());
                    plan.forFile(q, q.length() * 7, 784111777L + q.length(), type);
                    int n = WRITER.write(plan, 1765000000L, head, 0);
                    assertTrue(n <= WRITER.maxLength(plan.contentType()));
                    p.reset();
                } else {
                    assertEquals(HttpRequestParser.Result.NEED_MORE, r);
                    assertEquals(end, off);
                }
            }
        }
        out.add("NEED_MORE started=" + p.started());
        return out;
    }

    private static void checkPath(HttpRequest q) {
        int n = q.pathLength();
        if (q.method() == HttpMethod.OTHER) {
            assertEquals(0, n);
            return;
        }
        byte[] b = q.pathBytes();
        assertTrue(n >= 1 && b[0] == '/', "path starts with a slash");
        String path = q.path();
        if (!Arrays.equals(Arrays.copyOf(b, n), path.getBytes(StandardCharsets.UTF_8))) {
            fail("path is not well-formed UTF-8: " + path);
        }
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c == 0x7f || c == '\\') {
                fail("path holds byte " + c + ": " + path);
            }
        }
        String body = path.endsWith("/") ? path.substring(1, Math.max(1, path.length() - 1)) : path.substring(1);
        if (!body.isEmpty()) {
            for (String seg : body.split("/", -1)) {
                if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                    fail("path has segment '" + seg + "': " + path);
                }
            }
        }
        assertTrue(DocPath.resolve("/www", path).startsWith("/www/"));
    }
}
