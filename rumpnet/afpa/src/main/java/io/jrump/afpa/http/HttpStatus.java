package io.jrump.afpa.http;

/**
 * The status codes the accelerator and the user-level server send, with their reason phrases (RFC 9110
 * section 15). The phrases are the RFC's; clients ignore them (RFC 9112 section 4), but both servers must
 * send the same bytes.
 */
public final class HttpStatus {
    public static final int OK = 200;
    public static final int PARTIAL_CONTENT = 206;
    public static final int NOT_MODIFIED = 304;
    public static final int BAD_REQUEST = 400;
    public static final int NOT_FOUND = 404;
    public static final int METHOD_NOT_ALLOWED = 405;
    public static final int URI_TOO_LONG = 414;
    public static final int RANGE_NOT_SATISFIABLE = 416;
    /** RFC 6585 section 5. */
    public static final int REQUEST_HEADER_FIELDS_TOO_LARGE = 431;
    public static final int INTERNAL_SERVER_ERROR = 500;
    public static final int SERVICE_UNAVAILABLE = 503;
    public static final int HTTP_VERSION_NOT_SUPPORTED = 505;

    private HttpStatus() {
    }

    /** The reason phrase of {@code status}, or {@code "Unknown"} for a code this server never sends. */
    public static String reason(int status) {
        return switch (status) {
            case OK -> "OK";
            case PARTIAL_CONTENT -> "Partial Content";
            case NOT_MODIFIED -> "Not Modified";
            case BAD_REQUEST -> "Bad Request";
            case NOT_FOUND -> "Not Found";
            case METHOD_NOT_ALLOWED -> "Method Not Allowed";
            case URI_TOO_LONG -> "URI Too Long";
            case RANGE_NOT_SATISFIABLE -> "Range Not Satisfiable";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "Request Header Fields Too Large";
            case INTERNAL_SERVER_ERROR -> "Internal Server Error";
            case SERVICE_UNAVAILABLE -> "Service Unavailable";
            case HTTP_VERSION_NOT_SUPPORTED -> "HTTP Version Not Supported";
            default -> "Unknown";
        };
    }

    /**
     * Whether the connection must close after answering {@code status}: after 400, 414, 431 and 505 the
     * parser no longer knows where the next request starts (RFC 9112 section 9.3: the server closes when it
     * cannot read the request framing), and 503 sheds load.
     */
    public static boolean closesConnection(int status) {
        return status == BAD_REQUEST || status == URI_TOO_LONG || status == REQUEST_HEADER_FIELDS_TOO_LARGE
                || status == HTTP_VERSION_NOT_SUPPORTED || status == SERVICE_UNAVAILABLE
                || status == INTERNAL_SERVER_ERROR;
    }
}
