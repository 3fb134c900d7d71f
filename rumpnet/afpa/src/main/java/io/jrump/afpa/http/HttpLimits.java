package io.jrump.afpa.http;

import com.google.common.base.Preconditions;

/**
 * Size limits on a request's head, which bound a connection's parser memory and the work a client can make
 * the server do before it answers (RFC 9112 section 3: a server that receives a request-target longer than it
 * wishes to parse answers 414, RFC 9110 section 15.5.15; RFC 6585 section 5 defines 431 for header fields).
 *
 * @param requestLine the longest request line in bytes, counting its line end and any empty lines before it
 *     (RFC 9112 section 2.2); a longer one is answered 414
 * @param headerSection the most bytes of field lines after the request line, the final empty line included;
 *     more is answered 431
 * @param headerCount the most field lines; more is answered 431
 */
public record HttpLimits(int requestLine, int headerSection, int headerCount) {
    /** 8 KB request lines, 16 KB of fields, 100 field lines: what common servers accept. */
    public static final HttpLimits DEFAULT = new HttpLimits(8192, 16384, 100);

    public HttpLimits {
        Preconditions.checkArgument(requestLine >= 64, "requestLine %s < 64", requestLine);
        Preconditions.checkArgument(headerSection >= 64, "headerSection %s < 64", headerSection);
        Preconditions.checkArgument(headerCount >= 1, "headerCount %s < 1", headerCount);
    }
}
