package io.jrump.afpa.http;

/**
 * The protocol version of a request, which decides the default of persistence (RFC 9112 section 9.3). A
 * request of {@code HTTP/1.x} with x above 1 is handled as 1.1, the highest minor version this server
 * implements (RFC 9110 section 6.2); a major version other than 1 is answered 505.
 */
public enum HttpVersion {
    HTTP_1_0,
    HTTP_1_1
}
