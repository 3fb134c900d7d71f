/**
 * HTTP/1.x for the AFPA accelerator and the user-level server beside it: both parse with
 * {@link io.jrump.afpa.http.HttpRequestParser}, decide with {@link io.jrump.afpa.http.ResponsePlan} and write
 * headers with {@link io.jrump.afpa.http.HttpResponseHeader}, so that a client cannot tell which of the two
 * answered. The package is plain Java with no kernel dependency: clocks come in as arguments, and nothing
 * here allocates per request on the path of a cached GET (parsing, path normalisation, the header bytes).
 *
 * <p>Specifications: RFC 9110 (HTTP semantics: methods, status codes, conditional requests, ranges, dates)
 * and RFC 9112 (HTTP/1.1 message syntax: request line, field lines, message body length, persistence).
 */
package io.jrump.afpa.http;
