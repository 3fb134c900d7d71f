package io.jrump.afpa.http;

import static io.jrump.afpa.http.Parse.whole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The traversal suite: every encoding of a way out of the document root, through {@link DocPath} directly and
 * through a whole request, is refused (400) or normalised to a path that stays inside.
 */
class DocPathTest {
    /** Targets that must be refused outright. */
    static final String[] REFUSED = {
        "/..", "/../", "/../etc/passwd", "/a/../../etc/passwd", "/a/b/../../..",
        "/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd", "/.%2e/etc/passwd", "/%2e./etc/passwd",
        "/a/%2e%2e/%2e%2e/x",
        "/a%2f..%2f..%2fetc/passwd", "/..%2fetc/passwd", "/a%2Fb", "/%2f", "/%2F%2e%2e",
        "/..\\etc\\passwd", "/a\\..\\..\\x", "/..%5cetc%5cpasswd", "/a%5C..%5C..%5Cx", "/%5c",
        "/index.html%00.txt", "/a%00", "/%00/../x", "/a\u0000b",
        "/%c0%ae%c0%ae/etc/passwd", "/%c0%af", "/%e0%80%ae%e0%80%ae/x", "/%c1%9c", "/%f0%80%80%ae",
        "/%c0%2e", "/%ed%a0%80", "/%f4%90%80%80", "/%fe", "/%ff", "/%e2%82", "/%c3",
        "/%252e%252e/%", "/a%", "/a%2", "/a%zz", "/a%g0",
        "/a\u0001", "/%0a", "/%0d%0a", "/%7f", "/a#b", "/caf\u00e9",
        "a/b", "", "../x",
    };

    /** Targets that normalise, and what they normalise to. */
    static final String[][] NORMALISED = {
        {"/", "/"}, {"//", "/"}, {"/.", "/"}, {"/./", "/"}, {"/a/..", "/"}, {"/a/../", "/"},
        {"/a/b/../c", "/a/c"}, {"/a/./b", "/a/b"}, {"//a///b//", "/a/b/"}, {"/a/b/..", "/a/"},
        {"/a/.", "/a/"}, {"/a/%2e", "/a/"}, {"/a/%2e%2e", "/"}, {"/a/b/%2e%2e/%2E%2e/c", "/c"},
        {"/%7Euser", "/~user"}, {"/%41%42c", "/ABc"}, {"/%25", "/%"}, {"/%252e%252e/x", "/%2e%2e/x"},
        {"/f%20g", "/f g"}, {"/...", "/..."}, {"/..a", "/..a"}, {"/a..", "/a.."}, {"/.hidden", "/.hidden"},
        {"/%c3%a9t%c3%a9", "/\u00e9t\u00e9"}, {"/%e2%82%ac", "/\u20ac"}, {"/%f0%9f%98%80", "/\ud83d\ude00"},
        {"/a/b/c/../../../d", "/d"}, {"/a;b=c/d", "/a;b=c/d"},
    };

    @Test
    void everyEncodingOfAWayOutIsRefused() {
        for (String t : REFUSED) {
            assertNull(DocPath.normalize(t), "refused: " + t);
        }
    }

    @Test
    void dotSegmentsAndEscapesNormaliseInsideTheRoot() {
        for (String[] c : NORMALISED) {
            assertEquals(c[1], DocPath.normalize(c[0]), c[0]);
        }
    }

    @Test
    void theParserRefusesTheSameTargetsWith400() {
        for (String t : REFUSED) {
            if (t.isEmpty() || t.indexOf(' ') >= 0) {
                continue;
            }
            assertEquals("ERROR 400", whole("GET " + t + " HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9), t);
            if (t.startsWith("/")) {
                assertEquals("ERROR 400", whole("HEAD http://h" + t + " HTTP/1.1\r\nHost: h\r\n\r\n").substring(0, 9), t);
            }
        }
        for (String[] c : NORMALISED) {
            String got = whole("GET " + c[0] + "?q=/../x HTTP/1.1\r\nHost: h\r\n\r\n");
            assertTrue(got.startsWith("GET " + c[1] + " HTTP_1_1"), c[0] + " -> " + got);
        }
    }

    @Test
    void theResultNeverClimbsAboveTheRoot() {
        String[] parts = {"a", "..", ".", "%2e%2e", "%2E.", "", "b", "%2e", ".%2e"};
        int n = parts.length;
        for (int i = 0; i < n * n * n * n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0, x = i; k < 4; k++, x /= n) {
                sb.append('/').append(parts[x % n]);
            }
            String out = DocPath.normalize(sb.toString());
            if (out != null) {
                assertTrue(out.startsWith("/"), sb + " -> " + out);
                for (String seg : out.split("/")) {
                    assertTrue(!seg.equals("..") && !seg.equals("."), sb + " -> " + out);
                }
                assertTrue(!out.contains("//"), sb + " -> " + out);
            }
        }
    }

    @Test
    void resolveJoinsUnderTheDocroot() {
        assertEquals("/www/a/b", DocPath.resolve("/www", "/a/b"));
        assertEquals("/www/a/b", DocPath.resolve("/www/", "/a/b"));
        assertEquals("/", DocPath.resolve("/", "/"));
        assertEquals("/x", DocPath.resolve("/", "/x"));
    }
}
