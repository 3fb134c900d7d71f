package io.jrump.afpa.http;

/**
 * The request methods the accelerator distinguishes. Method names are case-sensitive (RFC 9110 section 9.1),
 * so {@code get} is {@link #OTHER}. Everything but GET and HEAD is handed on (the accelerator passes it to the
 * user-level server, which answers 405 with {@code Allow: GET, HEAD}, RFC 9110 section 15.5.6).
 */
public enum HttpMethod {
    GET,
    HEAD,
    OTHER
}
