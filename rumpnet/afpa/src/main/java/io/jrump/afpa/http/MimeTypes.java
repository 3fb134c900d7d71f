package io.jrump.afpa.http;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Type} from a file name's extension (RFC 9110 section 8.3: the server names the media type
 * of what it sends; without a type the client may sniff, which a server of arbitrary files should not
 * invite, so unknown extensions get {@code application/octet-stream}). Extensions match without regard to
 * case. Text types carry no charset: the server does not know how a file is encoded.
 *
 * <p>The table is small and fixed, so a lookup compares the extension's bytes against each entry of the same
 * length, straight from the request's path bytes, without building a string.
 */
public final class MimeTypes {
    /** The type of a file whose extension is missing or unknown. */
    public static final String DEFAULT = "application/octet-stream";

    private static final String[][] TABLE = {
        {"html", "text/html"}, {"htm", "text/html"}, {"css", "text/css"}, {"txt", "text/plain"},
        {"text", "text/plain"}, {"csv", "text/csv"}, {"md", "text/markdown"}, {"xml", "application/xml"},
        {"js", "text/javascript"}, {"mjs", "text/javascript"}, {"json", "application/json"},
        {"map", "application/json"}, {"wasm", "application/wasm"}, {"pdf", "application/pdf"},
        {"zip", "application/zip"}, {"gz", "application/gzip"}, {"tgz", "application/gzip"},
        {"tar", "application/x-tar"}, {"bz2", "application/x-bzip2"}, {"xz", "application/x-xz"},
        {"zst", "application/zstd"}, {"bin", DEFAULT}, {"png", "image/png"}, {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"}, {"gif", "image/gif"}, {"svg", "image/svg+xml"}, {"webp", "image/webp"},
        {"avif", "image/avif"}, {"ico", "image/vnd.microsoft.icon"}, {"bmp", "image/bmp"},
        {"tif", "image/tiff"}, {"tiff", "image/tiff"}, {"woff", "font/woff"}, {"woff2", "font/woff2"},
        {"ttf", "font/ttf"}, {"otf", "font/otf"}, {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"},
        {"wav", "audio/wav"}, {"flac", "audio/flac"}, {"mp4", "video/mp4"}, {"webm", "video/webm"},
        {"mpeg", "video/mpeg"}, {"mpg", "video/mpeg"}, {"iso", "application/octet-stream"},
    };
    private static final byte[][] EXT = new byte[TABLE.length][];

    static {
        for (int i = 0; i < TABLE.length; i++) {
            EXT[i] = TABLE[i][0].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private MimeTypes() {
    }

    /** The type of the file named by the last segment of {@code path}. */
    public static String forPath(String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        return forPath(b, 0, b.length);
    }

    /**
     * The type of the file named by the last segment of the path in {@code b[off, off+len)}: the extension
     * is what follows the last dot of that segment, unless the dot starts it ({@code .profile} has none).
     */
    public static String forPath(byte[] b, int off, int len) {
        int end = off + len;
        int dot = -1;
        for (int i = end - 1; i >= off; i--) {
            byte c = b[i];
            if (c == '/') {
                break;
            }
            if (c == '.') {
                dot = i;
                break;
            }
        }
        if (dot <= off || b[dot - 1] == '/') {
            return DEFAULT;
        }
        int n = end - dot - 1;
        for (int i = 0; i < EXT.length; i++) {
            byte[] e = EXT[i];
            if (e.length == n && equalsLower(b, dot + 1, e)) {
                return TABLE[i][1];
            }
        }
        return DEFAULT;
    }

    private static boolean equalsLower(byte[] b, int o, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int c = b[o + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
