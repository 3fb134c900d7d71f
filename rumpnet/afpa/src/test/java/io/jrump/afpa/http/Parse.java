package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/** Test helpers: feed a request to a parser whole, split at a point, or byte by byte, and render the result. */
final class Parse {
    private Parse() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code b} in pieces ending at the given cut points and renders what the parser reported. */
    static String feed(HttpRequestParser p, byte[] b, int... cuts) {
        p.reset();
        int off = 0;
        int[] ends = new int[cuts.length + 1];
        System.arraycopy(cuts, 0, ends, 0, cuts.length);
        ends[cuts.length] = b.length;
        int taken = 0;
        for (int end : ends) {
            if (end < off) {
                continue;
            }
            HttpRequestParser.Result r = p.feed(b, off, end - off);
            taken += p.consumed();
            if (r != HttpRequestParser.Result.NEED_MORE) {
                return render(p, r) + " taken=" + taken;
            }
            off = end;
        }
        return "NEED_MORE taken=" + taken;
    }

    static String whole(String s) {
        return feed(new HttpRequestParser(), bytes(s));
    }

    static String render(HttpRequestParser p, HttpRequestParser.Result r) {
        if (r == HttpRequestParser.Result.ERROR) {
            return "ERROR " + p.errorStatus();
        }
        HttpRequest q = p.request();
        StringBuilder sb = new StringBuilder();
        sb.append(q.method()).append(' ').append(q.path()).append(' ').append(q.version());
        sb.append(q.keepAlive() ? " keep-alive" : " close");
        if (q.hasQuery()) {
            sb.append(" query");
        }
        if (q.ifModifiedSince() != HttpRequest.NO_DATE) {
            sb.append(" ims=").append(q.ifModifiedSince());
        }
        if (q.ifNoneMatch() != HttpRequest.IfNoneMatch.NONE) {
            sb.append(" inm=").append(q.ifNoneMatch());
        }
        if (q.rangeKind() != RangeKind.NONE) {
            sb.append(" range=").append(q.rangeKind());
            if (q.rangeKind() == RangeKind.SINGLE) {
                sb.append('(').append(q.rangeFirst()).append(',').append(q.rangeLast()).append(',')
                        .append(q.rangeSuffix()).append(')');
            }
        }
        if (q.ifRange() != HttpRequest.IfRange.NONE) {
            sb.append(" if-range=").append(q.ifRange());
            if (q.ifRange() == HttpRequest.IfRange.DATE) {
                sb.append('(').append(q.ifRangeDate()).append(')');
            }
        }
        if (q.contentLength() >= 0) {
            sb.append(" cl=").append(q.contentLength());
        }
        if (q.transferEncoding()) {
            sb.append(" te");
        }
        sb.append(" length=").append(q.length());
        return sb.toString();
    }
}
