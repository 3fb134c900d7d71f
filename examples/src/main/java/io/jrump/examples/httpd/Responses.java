package io.jrump.examples.httpd;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Response heads written into a caller's buffer (RFC 9112 section 4 status line, RFC 9110 fields),
 * the small HTML bodies of error answers, and content types by file extension.
 */
final class Responses {
    static final byte[] SERVER = "jrump-httpd".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Map<String, String> MIME = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"), Map.entry("json", "application/json"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/x-icon"),
            Map.entry("pdf", "application/pdf"), Map.entry("xml", "application/xml"));
    private static final String DEFAULT_TYPE = "application/octet-stream";

    private Responses() {
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 414 -> "URI Too Long";
            case 416 -> "Range Not Satisfiable";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }

    /** The HTML body of an error answer. */
    static byte[] errorBody(int status) {
        String t = status + " " + reason(status);
        return ("<html><head><title>" + t + "</title></head><body><h1>" + t + "</h1></body></html>\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static String contentType(String path) {
        int dot = path.lastIndexOf('.');
        if (dot < 0 || dot < path.lastIndexOf('/')) {
            return DEFAULT_TYPE;
        }
        return MIME.getOrDefault(path.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT_TYPE);
    }

    /** Writes heads into one buffer; the position moves on. */
    static final class Writer {
        byte[] buf;
        int pos;

        Writer(byte[] buf) {
            this.buf = buf;
        }

        Writer statusLine(int minor, int status) {
            ascii("HTTP/1.").num(minor == 0 ? 0 : 1).ascii(" ").num(status).ascii(" ").ascii(reason(status));
            return bytes(CRLF);
        }

        Writer field(String name, String value) {
            return ascii(name).ascii(": ").ascii(value).bytes(CRLF);
        }

        Writer field(String name, byte[] value) {
            return ascii(name).ascii(": ").bytes(value).bytes(CRLF);
        }

        Writer field(String name, long value) {
            return ascii(name).ascii(": ").num(value).bytes(CRLF);
        }

        Writer end() {
            return bytes(CRLF);
        }

        Writer ascii(String s) {
            for (int i = 0, n = s.length(); i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
            return this;
        }

        Writer bytes(byte[] b) {
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        Writer num(long v) {
            if (v == 0) {
                buf[pos++] = '0';
                return this;
            }
            int digits = 0;
            for (long t = v; t > 0; t /= 10) {
                digits++;
            }
            for (int i = pos + digits - 1; v > 0; v /= 10) {
                buf[i--] = (byte) ('0' + v % 10);
            }
            pos += digits;
            return this;
        }
    }
}
