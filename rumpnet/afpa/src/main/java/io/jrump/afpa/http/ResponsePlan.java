package io.jrump.afpa.http;

/**
 * What to answer to a request: status, which bytes of the file (if any) follow the header, and what the header
 * says. One decision procedure for the accelerator and the user-level server, so that they answer alike;
 * reusable (one per connection or per worker), so that deciding allocates nothing.
 *
 * <p>{@link #forFile} applies, in the order of RFC 9110 section 13.2.2 for the conditions this server knows
 * (it sends no ETag, so {@code If-Match} and {@code If-Unmodified-Since}, which guard writes, are not
 * evaluated):
 * <ol>
 * <li>Methods other than GET and HEAD: 405 (the accelerator hands those on instead).
 * <li>{@code If-None-Match} (section 13.1.2): {@code *} matches any file, so 304; a list of tags matches
 * nothing here, and the request goes on, {@code If-Modified-Since} then being ignored (section 13.1.3).
 * <li>{@code If-Modified-Since} (section 13.1.3): 304 when the file's modification time, in whole seconds,
 * is not after the date.
 * <li>{@code Range} (section 14.2), for GET only (HEAD defines no ranges): a single range whose
 * {@code If-Range} date, if any, equals the file's modification time exactly (section 13.1.5) is answered
 * 206 with {@code Content-Range} (section 14.4), or 416 with {@code Content-Range: bytes *}{@code /size}
 * (section 15.5.17) when it starts past the end, or is a suffix of length 0, or asks anything of an
 * empty file (section 14.1.1: only a non-empty file satisfies a suffix range); several ranges, an invalid
 * field or a failed {@code If-Range} give the whole file, 200.
 * </ol>
 * A HEAD is answered with the header a GET would get and no content (section 9.3.2).
 */
public final class ResponsePlan {
    private int status;
    private boolean keepAlive;
    private HttpVersion version = HttpVersion.HTTP_1_1;
    private boolean head;
    private long fileOffset;
    private long fileLength;
    private long contentLength;
    private long lastModified;
    private long completeLength;
    private long rangeFirst;
    private long rangeLast;
    private String contentType;

    /**
     * Decides the answer for a request that names an existing regular file.
     *
     * @param size the file's size in bytes
     * @param lastModified the file's modification time in epoch seconds
     * @param contentType the file's type, usually {@link MimeTypes#forPath(byte[], int, int)}
     * @return this
     */
    public ResponsePlan forFile(HttpRequest req, long size, long lastModified, String contentType) {
        HttpMethod m = req.method();
        if (m == HttpMethod.OTHER) {
            return forError(req, HttpStatus.METHOD_NOT_ALLOWED);
        }
        start(req, HttpStatus.OK);
        this.lastModified = lastModified;
        this.contentType = contentType;
        this.completeLength = size;
        boolean notModified;
        if (req.ifNoneMatch() != HttpRequest.IfNoneMatch.NONE) {
            notModified = req.ifNoneMatch() == HttpRequest.IfNoneMatch.ANY;
        } else {
            long ims = req.ifModifiedSince();
            notModified = ims >= 0 && lastModified <= ims;
        }
        if (notModified) {
            status = HttpStatus.NOT_MODIFIED;
            this.contentType = null;
            contentLength = -1;
            return this;
        }
        if (m == HttpMethod.GET && req.rangeKind() == RangeKind.SINGLE && ifRangeHolds(req, lastModified)) {
            long first;
            long last;
            if (req.rangeSuffix() >= 0) {
                if (req.rangeSuffix() == 0 || size == 0) {
                    return unsatisfiable(size);
                }
                long n = Math.min(req.rangeSuffix(), size);
                first = size - n;
                last = size - 1;
            } else {
                first = req.rangeFirst();
                if (first >= size) {
                    return unsatisfiable(size);
                }
                last = req.rangeLast() < 0 ? size - 1 : Math.min(req.rangeLast(), size - 1);
            }
            status = HttpStatus.PARTIAL_CONTENT;
            rangeFirst = first;
            rangeLast = last;
            fileOffset = first;
            fileLength = last - first + 1;
            contentLength = fileLength;
            return this;
        }
        fileOffset = 0;
        fileLength = size;
        contentLength = size;
        return this;
    }

    private static boolean ifRangeHolds(HttpRequest req, long lastModified) {
        return switch (req.ifRange()) {
            case NONE -> true;
            case DATE -> req.ifRangeDate() == lastModified;
            case OTHER -> false;
        };
    }

    private ResponsePlan unsatisfiable(long size) {
        status = HttpStatus.RANGE_NOT_SATISFIABLE;
        lastModified = -1;
        contentType = ErrorPages.CONTENT_TYPE;
        completeLength = size;
        contentLength = ErrorPages.length(status);
        fileOffset = 0;
        fileLength = 0;
        return this;
    }

    /**
     * Decides an answer that carries an {@link ErrorPages} body: 404 for a path that names nothing servable,
     * 405, 500, 503, and the parser's errors (400, 414, 431, 505). The connection persists only if the
     * request asked for it and the status allows it ({@link HttpStatus#closesConnection(int)}).
     *
     * @param req the request, or null when none was parsed (then the answer is HTTP/1.1 and closes)
     * @return this
     */
    public ResponsePlan forError(HttpRequest req, int status) {
        start(req, status);
        contentType = ErrorPages.CONTENT_TYPE;
        contentLength = ErrorPages.length(status);
        if (HttpStatus.closesConnection(status)) {
            keepAlive = false;
        }
        return this;
    }

    private void start(HttpRequest req, int s) {
        status = s;
        keepAlive = req != null && req.keepAlive();
        version = req == null ? HttpVersion.HTTP_1_1 : req.version();
        head = req != null && req.method() == HttpMethod.HEAD;
        fileOffset = 0;
        fileLength = 0;
        contentLength = 0;
        lastModified = -1;
        completeLength = -1;
        rangeFirst = -1;
        rangeLast = -1;
        contentType = null;
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** Whether the connection stays open after this response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The request's version, which decides how persistence is announced. */
    public HttpVersion version() {
        return version;
    }

    /** Whether the body is sent from the file: 200 or 206 to a GET. */
    public boolean bodyFromFile() {
        return !head && (status == HttpStatus.OK || status == HttpStatus.PARTIAL_CONTENT);
    }

    /** Whether the body is the {@link ErrorPages} page of {@link #status()}: an error answered to a non-HEAD. */
    public boolean bodyFromErrorPage() {
        return !head && !bodyFromFile() && status != HttpStatus.NOT_MODIFIED;
    }

    /** The number of content bytes sent after the header (0 for HEAD and 304). */
    public long bodyLength() {
        return head || status == HttpStatus.NOT_MODIFIED ? 0 : contentLength;
    }

    /** The first byte of the file the body carries, when {@link #bodyFromFile()}. */
    public long fileOffset() {
        return fileOffset;
    }

    /** How many bytes of the file the body carries, when {@link #bodyFromFile()}. */
    public long fileLength() {
        return fileLength;
    }

    /** The {@code Content-Length} sent, or -1 when none is (304, RFC 9110 section 8.6). */
    public long contentLength() {
        return contentLength;
    }

    /** The {@code Content-Type} sent, or null for none (304). */
    public String contentType() {
        return contentType;
    }

    /** The {@code Last-Modified} sent in epoch seconds (200, 206, 304), or -1 for none. */
    public long lastModified() {
        return lastModified;
    }

    /** For 206: the first byte of {@code Content-Range}. */
    public long rangeFirst() {
        return rangeFirst;
    }

    /** For 206: the last byte of {@code Content-Range}. */
    public long rangeLast() {
        return rangeLast;
    }

    /** For 206 and 416: the file's size in {@code Content-Range}. */
    public long completeLength() {
        return completeLength;
    }

    /** Whether this is a HEAD answer (header only). */
    public boolean head() {
        return head;
    }
}
