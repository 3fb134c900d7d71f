package io.jrump.afpa.http;

/**
 * What a request's {@code Range} field asked for (RFC 9110 section 14.2).
 * <ul>
 * <li>{@link #NONE}: no {@code Range} field.
 * <li>{@link #SINGLE}: one byte range; {@link ResponsePlan} answers 206 or, when it lies past the end, 416.
 * <li>{@link #MULTIPLE}: more than one range; served as a whole 200 (a server may ignore Range, RFC 9110
 * section 14.2, and this one does not build multipart/byteranges).
 * <li>{@link #IGNORED}: a unit other than {@code bytes} (which a server MUST ignore), a syntax error, or the
 * field given twice: served as if absent.
 * </ul>
 */
public enum RangeKind {
    NONE,
    SINGLE,
    MULTIPLE,
    IGNORED
}
