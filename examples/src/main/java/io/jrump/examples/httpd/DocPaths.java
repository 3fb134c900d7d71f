package io.jrump.examples.httpd;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The request target's path (RFC 9112 section 3.2, origin-form) as a path under the document root:
 * the query is dropped, percent-encoding decoded (RFC 3986 section 2.1), and anything that could name a
 * file outside the root or a different file than it seems refused with 400: an encoded slash, NUL,
 * backslash, a {@code .} or {@code ..} segment in any encoding, bytes that are not strict UTF-8 (overlong
 * forms included). A path ending in {@code /} names its {@code index.html}.
 */
final class DocPaths {
    private DocPaths() {
    }

    /** Sets {@code into.path} from {@code b[from, to)}; returns 0, or the status that refuses it. */
    static int decode(byte[] b, int from, int to, RequestHead into) {
        if (from >= to || b[from] != '/') {
            return 400;
        }
        int end = from;
        while (end < to && b[end] != '?' && b[end] != '#') {
            end++;
        }
        byte[] out = new byte[end - from + "index.html".length()];
        int n = 0;
        int segStart = 0;
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '%') {
                if (i + 2 >= end) {
                    return 400;
                }
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return 400;
                }
                c = hi << 4 | lo;
                i += 2;
                if (c == '/') {
                    return 400;
                }
            } else if (c == '/') {
                if (dotSegment(out, segStart, n)) {
                    return 400;
                }
                if (n > 0 && out[n - 1] == '/') {
                    continue; // an empty segment: "//" is "/"
                }
                out[n++] = '/';
                segStart = n;
                continue;
            }
            if (c == 0 || c == '\\' || c < 0x20 || c == 0x7f) {
                return 400;
            }
            out[n++] = (byte) c;
        }
        if (dotSegment(out, segStart, n)) {
            return 400;
        }
        if (out[n - 1] == '/') {
            for (byte x : "index.html".getBytes(StandardCharsets.US_ASCII)) {
                out[n++] = x;
            }
        }
        try {
            into.path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return 400;
        }
        return 0;
    }

    private static boolean dotSegment(byte[] out, int start, int end) {
        int len = end - start;
        return (len == 1 && out[start] == '.') || (len == 2 && out[start] == '.' && out[start + 1] == '.');
    }
}
