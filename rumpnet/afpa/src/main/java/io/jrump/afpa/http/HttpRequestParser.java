package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * An incremental parser of HTTP/1.x request heads (RFC 9112), one per connection and reused for each
 * request on it. Bytes are fed as they arrive, in pieces of any size: the parser is a state machine over
 * single bytes and keeps only what it needs (the request-target, up to {@link HttpLimits#requestLine()}
 * bytes, and one field value at a time, up to {@value #VALUE_CAP} bytes), so a request split at any byte
 * boundary parses exactly as if it came whole, and a slow client costs a few hundred bytes of state.
 *
 * <p>{@link #feed(byte[], int, int)} answers {@link Result#NEED_MORE}, {@link Result#COMPLETE} (then
 * {@link #request()} holds the request and {@link #consumed()} says where in the fed bytes it ended: the next
 * pipelined request starts there, RFC 9112 section 9.3.2) or {@link Result#ERROR} (then
 * {@link #errorStatus()} is the status to answer, after which the connection closes: the parser no longer
 * knows where the next request would start). After COMPLETE call {@link #reset()} before feeding the next
 * request. No feed allocates.
 *
 * <p>What it enforces, and why:
 * <ul>
 * <li>The request line is {@code method SP request-target SP HTTP-version} with single spaces (RFC 9112
 * section 3; the lenient forms of section 3 are not accepted, since a parser that splits differently from a
 * front end invites request smuggling). Empty lines before it are skipped (section 2.2). A line longer than
 * {@link HttpLimits#requestLine()} is answered 414 (section 3, RFC 9110 section 15.5.15).
 * <li>A version other than {@code HTTP/1.x} is answered 505 (RFC 9110 section 15.6.6); {@code HTTP/1.x} for x
 * above 1 is read as 1.1 (RFC 9110 section 6.2). A request line without a version (HTTP/0.9) is 400.
 * <li>The request-target is in origin form, absolute form (whose path is used; RFC 9112 section 3.2.2) or,
 * for methods other than GET and HEAD, asterisk or authority form. The path of a GET or HEAD goes through
 * {@link DocPath}; a refusal is 400. The query is ignored.
 * <li>Lines end in CRLF or a bare LF (section 2.2 allows a recipient to accept LF); a CR not followed by LF is
 * 400, as is any control character in a field value (RFC 9110 section 5.5) or whitespace before a field
 * name's colon (section 5.1) or at the start of a field line (obsolete line folding, section 5.2, and the
 * whitespace-before-first-field case of section 2.2).
 * <li>More than {@link HttpLimits#headerSection()} bytes or {@link HttpLimits#headerCount()} lines of
 * fields are answered 431 (RFC 6585 section 5).
 * <li>HTTP/1.1 without {@code Host}, or with two, or with an invalid one, is 400 (RFC 9112 section 3.2).
 * <li>The body: a {@code Content-Length} body is skipped (counted in {@link HttpRequest#length()}); values
 * that are not digits or that disagree across lines are 400 (RFC 9112 section 6.3, item 5). With
 * {@code Transfer-Encoding} the request ends at its head and the connection must close after the response
 * (section 6.3, item 3 lets the server close rather than read the body; this server never reads bodies).
 * </ul>
 */
public final class HttpRequestParser {
    /** The outcome of a {@link #feed(byte[], int, int)}. */
    public enum Result {
        NEED_MORE,
        COMPLETE,
        ERROR
    }

    /** The most bytes of one field value kept for the fields the server reads. */
    public static final int VALUE_CAP = 256;

    private static final int START = 0;
    private static final int START_LF = 1;
    private static final int METHOD = 2;
    private static final int TARGET = 3;
    private static final int VERSION = 4;
    private static final int LINE_LF = 5;
    private static final int FIELD_START = 6;
    private static final int NAME = 7;
    private static final int VALUE_OWS = 8;
    private static final int VALUE = 9;
    private static final int FIELD_LF = 10;
    private static final int END_LF = 11;
    private static final int BODY = 12;
    private static final int DONE = 13;
    private static final int FAILED = 14;

    private static final int GO = 0;
    private static final int STOP_COMPLETE = 1;
    private static final int STOP_ERROR = 2;

    private static final int H_HOST = 0;
    private static final int H_CONNECTION = 1;
    private static final int H_CONTENT_LENGTH = 2;
    private static final int H_TRANSFER_ENCODING = 3;
    private static final int H_IF_MODIFIED_SINCE = 4;
    private static final int H_IF_NONE_MATCH = 5;
    private static final int H_RANGE = 6;
    private static final int H_IF_RANGE = 7;
    private static final String[] NAMES = {"host", "connection", "content-length", "transfer-encoding",
        "if-modified-since", "if-none-match", "range", "if-range"};
    private static final int ALL_NAMES = (1 << NAMES.length) - 1;
    private static final String CLOSE = "close";
    private static final String KEEP_ALIVE = "keep-alive";

    /** tchar of RFC 9110 section 5.6.2, as bit sets over 0..63 and 64..127. */
    private static final long TCHAR_LO = bits(0, "!#$%&'*+-.0123456789");
    private static final long TCHAR_HI = bits(64, "^_`|~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    /** What a Host value may hold: reg-name or IP-literal characters and a port (RFC 3986 section 3.2). */
    private static final long HOST_LO = bits(0, "!$&'()*+,-.0123456789:;=%");
    private static final long HOST_HI = bits(64, "[]_~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private final HttpLimits limits;
    private final HttpRequest req = new HttpRequest();
    private final byte[] target;
    private final byte[] method = new byte[8];
    private final byte[] version = new byte[8];
    private final byte[] value = new byte[VALUE_CAP];

    private int state;
    private int consumed;
    private int errorStatus;
    private long total;
    private long bodyLeft;
    private int lineBytes;
    private int headBytes;
    private int fields;
    private int targetLen;
    private int methodLen;
    private int versionLen;
    private int valueLen;
    private int nameLen;
    private int candidates;
    private int header;
    private int hostCount;
    private int imsCount;
    private int inmCount;
    private int rangeCount;
    private int ifRangeCount;
    private boolean connClose;
    private boolean connKeepAlive;
    private int tokLen;
    private boolean tokClose;
    private boolean tokKeep;
    private boolean tokEnded;

    /** A parser with {@link HttpLimits#DEFAULT}. */
    public HttpRequestParser() {
        this(HttpLimits.DEFAULT);
    }

    public HttpRequestParser(HttpLimits limits) {
        this.limits = limits;
        this.target = new byte[limits.requestLine()];
        reset();
    }

    /** Forgets the request parsed (or the error met) and waits for the next one. */
    public void reset() {
        state = START;
        consumed = 0;
        errorStatus = 0;
        total = 0;
        bodyLeft = 0;
        lineBytes = 0;
        headBytes = 0;
        fields = 0;
        targetLen = 0;
        methodLen = 0;
        versionLen = 0;
        valueLen = 0;
        hostCount = 0;
        imsCount = 0;
        inmCount = 0;
        rangeCount = 0;
        ifRangeCount = 0;
        connClose = false;
        connKeepAlive = false;
        req.clear();
        req.pathBuf = target;
    }

    /** The limits this parser enforces. */
    public HttpLimits limits() {
        return limits;
    }

    /** The request, valid after {@link Result#COMPLETE} until {@link #reset()}. */
    public HttpRequest request() {
        return req;
    }

    /** After {@link Result#ERROR}: the status to answer (400, 414, 431 or 505). */
    public int errorStatus() {
        return errorStatus;
    }

    /** How many of the bytes given to the last {@link #feed(byte[], int, int)} it took. */
    public int consumed() {
        return consumed;
    }

    /**
     * Whether any byte of a request has arrived since the last {@link #reset()}: a connection closed or timed
     * out while this is false lost nothing (RFC 9112 section 9.3: the idle state between requests).
     */
    public boolean started() {
        return total != 0;
    }

    /** Whether the head is complete and only {@code Content-Length} body bytes are still awaited. */
    public boolean inBody() {
        return state == BODY;
    }

    /**
     * Feeds {@code b[off, off+len)}. Takes bytes up to the end of the current request (all of them on
     * {@link Result#NEED_MORE}; up to the request's last byte on {@link Result#COMPLETE}; up to the offending
     * byte on {@link Result#ERROR}) and reports how many in {@link #consumed()}. Once COMPLETE or ERROR it
     * takes nothing more until {@link #reset()}.
     */
    public Result feed(byte[] b, int off, int len) {
        consumed = 0;
        if (state == DONE) {
            return Result.COMPLETE;
        }
        if (state == FAILED) {
            return Result.ERROR;
        }
        int i = off;
        int end = off + len;
        while (i < end) {
            if (state == BODY) {
                int take = (int) Math.min(bodyLeft, end - i);
                i += take;
                total += take;
                bodyLeft -= take;
                if (bodyLeft == 0) {
                    complete();
                    consumed = i - off;
                    return Result.COMPLETE;
                }
                continue;
            }
            int c = b[i++] & 0xff;
            total++;
            int s = step(c);
            if (s != GO) {
                consumed = i - off;
                return s == STOP_COMPLETE ? Result.COMPLETE : Result.ERROR;
            }
        }
        consumed = len;
        return Result.NEED_MORE;
    }

    private int step(int c) {
        if (state <= LINE_LF) {
            if (++lineBytes > limits.requestLine()) {
                return fail(state <= START_LF ? HttpStatus.BAD_REQUEST : HttpStatus.URI_TOO_LONG);
            }
        } else if (++headBytes > limits.headerSection()) {
            return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        switch (state) {
            case START:
                if (c == '\r') {
                    state = START_LF;
                    return GO;
                }
                if (c == '\n') {
                    return GO;
                }
                if (!tchar(c)) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                method[0] = (byte) c;
                methodLen = 1;
                state = METHOD;
                return GO;
            case START_LF:
                if (c != '\n') {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                state = START;
                return GO;
            case METHOD:
                if (c == ' ') {
                    req.method = classifyMethod();
                    state = TARGET;
                    return GO;
                }
                if (!tchar(c)) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                if (methodLen < method.length) {
                    method[methodLen] = (byte) c;
                }
                methodLen++;
                return GO;
            case TARGET:
                if (c == ' ') {
                    int st = endTarget();
                    if (st != 0) {
                        return fail(st);
                    }
                    state = VERSION;
                    return GO;
                }
                if (c <= 0x20 || c >= 0x7f) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                target[targetLen++] = (byte) c;
                return GO;
            case VERSION:
                if (c == '\r') {
                    state = LINE_LF;
                    return GO;
                }
                if (c == '\n') {
                    return endRequestLine();
                }
                if (versionLen == version.length) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                version[versionLen++] = (byte) c;
                return GO;
            case LINE_LF:
                return c == '\n' ? endRequestLine() : fail(HttpStatus.BAD_REQUEST);
            case FIELD_START:
                if (c == '\r') {
                    state = END_LF;
                    return GO;
                }
                if (c == '\n') {
                    return endHead();
                }
                if (!tchar(c)) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                if (++fields > limits.headerCount()) {
                    return fail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
                }
                nameLen = 0;
                candidates = ALL_NAMES;
                matchName(c);
                state = NAME;
                return GO;
            case NAME:
                if (c == ':') {
                    startValue();
                    state = VALUE_OWS;
                    return GO;
                }
                if (!tchar(c)) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                matchName(c);
                return GO;
            case VALUE_OWS:
                if (c == ' ' || c == '\t') {
                    return GO;
                }
                state = VALUE;
                return value(c);
            case VALUE:
                return value(c);
            case FIELD_LF:
                return c == '\n' ? endField() : fail(HttpStatus.BAD_REQUEST);
            case END_LF:
                return c == '\n' ? endHead() : fail(HttpStatus.BAD_REQUEST);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private int fail(int status) {
        errorStatus = status;
        state = FAILED;
        return STOP_ERROR;
    }

    private void complete() {
        state = DONE;
        req.length = total;
    }

    private HttpMethod classifyMethod() {
        if (methodLen == 3 && method[0] == 'G' && method[1] == 'E' && method[2] == 'T') {
            return HttpMethod.GET;
        }
        if (methodLen == 4 && method[0] == 'H' && method[1] == 'E' && method[2] == 'A' && method[3] == 'D') {
            return HttpMethod.HEAD;
        }
        return HttpMethod.OTHER;
    }

    /** Finds the path in the target, moves it to the buffer's start and normalises it; 0 or a status. */
    private int endTarget() {
        int n = targetLen;
        if (n == 0) {
            return HttpStatus.BAD_REQUEST;
        }
        boolean served = req.method != HttpMethod.OTHER;
        int ps;
        if (target[0] == '/') {
            ps = 0;
        } else if (n > 7 && startsWithIgnoreCase("http://")) {
            ps = authorityEnd(7);
        } else if (n > 8 && startsWithIgnoreCase("https://")) {
            ps = authorityEnd(8);
        } else {
            return served ? HttpStatus.BAD_REQUEST : 0;
        }
        if (ps < 0) {
            return HttpStatus.BAD_REQUEST;
        }
        if (!served) {
            return 0;
        }
        int pe = ps;
        while (pe < n && target[pe] != '?') {
            pe++;
        }
        for (int i = pe; i < n; i++) {
            if (target[i] == '#') {
                return HttpStatus.BAD_REQUEST;
            }
        }
        req.hasQuery = pe < n;
        int plen = pe - ps;
        if (plen == 0) {
            target[0] = '/';
            plen = 1;
        } else if (ps != 0) {
            System.arraycopy(target, ps, target, 0, plen);
        }
        int r = DocPath.normalize(target, 0, plen);
        if (r < 0) {
            return -r;
        }
        req.pathLength = r;
        return 0;
    }

    /** Where the path starts after an absolute-form authority at {@code from}, or -1 if it is empty. */
    private int authorityEnd(int from) {
        int i = from;
        while (i < targetLen && target[i] != '/' && target[i] != '?') {
            i++;
        }
        return i == from ? -1 : i;
    }

    private boolean startsWithIgnoreCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (lower(target[i] & 0xff) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int endRequestLine() {
        byte[] v = version;
        if (versionLen != 8 || v[0] != 'H' || v[1] != 'T' || v[2] != 'T' || v[3] != 'P' || v[4] != '/'
                || !digit(v[5]) || v[6] != '.' || !digit(v[7])) {
            return fail(HttpStatus.BAD_REQUEST);
        }
        if (v[5] != '1') {
            return fail(HttpStatus.HTTP_VERSION_NOT_SUPPORTED);
        }
        req.version = v[7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        state = FIELD_START;
        return GO;
    }

    private void matchName(int c) {
        int l = lower(c);
        int m = candidates;
        for (int i = 0; i < NAMES.length; i++) {
            if ((m & (1 << i)) != 0) {
                String name = NAMES[i];
                if (nameLen >= name.length() || name.charAt(nameLen) != l) {
                    m &= ~(1 << i);
                }
            }
        }
        candidates = m;
        nameLen++;
    }

    private void startValue() {
        header = -1;
        for (int i = 0; i < NAMES.length; i++) {
            if ((candidates & (1 << i)) != 0 && NAMES[i].length() == nameLen) {
                header = i;
            }
        }
        valueLen = 0;
        if (header == H_CONNECTION) {
            newToken();
        } else if (header == H_TRANSFER_ENCODING) {
            req.transferEncoding = true;
        }
    }

    private int value(int c) {
        if (c == '\r') {
            state = FIELD_LF;
            return GO;
        }
        if (c == '\n') {
            return endField();
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail(HttpStatus.BAD_REQUEST);
        }
        if (header == H_CONNECTION) {
            connectionByte(c);
        } else if (header >= 0) {
            if (valueLen < VALUE_CAP) {
                value[valueLen] = (byte) c;
            }
            valueLen++;
        }
        return GO;
    }

    /** Scans the Connection list token by token as it arrives (RFC 9110 section 7.6.1). */
    private void connectionByte(int c) {
        if (c == ',') {
            endToken();
            return;
        }
        if (c == ' ' || c == '\t') {
            tokEnded |= tokLen > 0;
            return;
        }
        if (tokEnded) {
            tokClose = false;
            tokKeep = false;
        }
        int l = lower(c);
        tokClose &= tokLen < CLOSE.length() && CLOSE.charAt(tokLen) == l;
        tokKeep &= tokLen < KEEP_ALIVE.length() && KEEP_ALIVE.charAt(tokLen) == l;
        tokLen++;
    }

    private void endToken() {
        connClose |= tokClose && tokLen == CLOSE.length();
        connKeepAlive |= tokKeep && tokLen == KEEP_ALIVE.length();
        newToken();
    }

    private void newToken() {
        tokLen = 0;
        tokClose = true;
        tokKeep = true;
        tokEnded = false;
    }

    private int endField() {
        state = FIELD_START;
        int h = header;
        if (h == H_CONNECTION) {
            endToken();
            return GO;
        }
        if (h < 0 || h == H_TRANSFER_ENCODING) {
            return GO;
        }
        boolean overflow = valueLen > VALUE_CAP;
        int n = Math.min(valueLen, VALUE_CAP);
        while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t')) {
            n--;
        }
        switch (h) {
            case H_HOST:
                hostCount++;
                if (overflow || !validHost(n)) {
                    return fail(HttpStatus.BAD_REQUEST);
                }
                return GO;
            case H_CONTENT_LENGTH:
                return contentLength(overflow, n);
            case H_IF_MODIFIED_SINCE:
                imsCount++;
                req.ifModifiedSince = imsCount == 1 && !overflow ? HttpDate.parse(value, 0, n) : HttpRequest.NO_DATE;
                return GO;
            case H_IF_NONE_MATCH:
                inmCount++;
                req.ifNoneMatch = inmCount == 1 && n == 1 && value[0] == '*' ? HttpRequest.IfNoneMatch.ANY
                        : HttpRequest.IfNoneMatch.TAGS;
                return GO;
            case H_RANGE:
                rangeCount++;
                if (rangeCount > 1 || overflow) {
                    req.rangeKind = RangeKind.IGNORED;
                } else {
                    RangeSpec.parse(value, n, req);
                }
                return GO;
            case H_IF_RANGE:
                ifRangeCount++;
                long d = ifRangeCount == 1 && !overflow ? HttpDate.parse(value, 0, n) : HttpRequest.NO_DATE;
                req.ifRange = d >= 0 ? HttpRequest.IfRange.DATE : HttpRequest.IfRange.OTHER;
                req.ifRangeDate = d;
                return GO;
            default:
                return GO;
        }
    }

    private boolean validHost(int n) {
        for (int i = 0; i < n; i++) {
            int c = value[i] & 0xff;
            if (c >= 128 || !(c < 64 ? (HOST_LO >>> c & 1) != 0 : (HOST_HI >>> (c - 64) & 1) != 0)) {
                return false;
            }
        }
        return true;
    }

    /** Content-Length: digits only, and the same value on every line (RFC 9112 section 6.3, item 5). */
    private int contentLength(boolean overflow, int n) {
        if (overflow || n == 0 || n > 18) {
            return fail(HttpStatus.BAD_REQUEST);
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            if (!digit(value[i])) {
                return fail(HttpStatus.BAD_REQUEST);
            }
            v = v * 10 + (value[i] - '0');
        }
        if (req.contentLength >= 0 && req.contentLength != v) {
            return fail(HttpStatus.BAD_REQUEST);
        }
        req.contentLength = v;
        return GO;
    }

    private int endHead() {
        if (hostCount > 1 || (hostCount == 0 && req.version == HttpVersion.HTTP_1_1)) {
            return fail(HttpStatus.BAD_REQUEST);
        }
        if (inmCount > 1) {
            req.ifNoneMatch = HttpRequest.IfNoneMatch.TAGS;
        }
        if (req.transferEncoding) {
            req.keepAlive = false;
            bodyLeft = 0;
        } else {
            req.keepAlive = !connClose && (req.version == HttpVersion.HTTP_1_1 || connKeepAlive);
            bodyLeft = Math.max(0, req.contentLength);
        }
        if (bodyLeft > 0) {
            state = BODY;
            return GO;
        }
        complete();
        return STOP_COMPLETE;
    }

    private static boolean tchar(int c) {
        return c < 64 ? (TCHAR_LO >>> c & 1) != 0 : c < 128 && (TCHAR_HI >>> (c - 64) & 1) != 0;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static long bits(int base, String chars) {
        long m = 0;
        for (byte c : chars.getBytes(StandardCharsets.US_ASCII)) {
            m |= 1L << (c - base);
        }
        return m;
    }
}
