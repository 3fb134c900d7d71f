package io.jrump.virtif;

/**
 * A frame a {@link LinkEmulator} holds back until its delivery time: a pooled buffer plus the place in
 * the delivery order. Recycled through {@link HeldFramePool}, never allocated per frame once warm.
 */
final class HeldFrame {
    byte[] buf;
    int len;
    /** The frame's offload flags: {@code M_CSUM_TCPv4} for a TCP checksum left partial on a link that carries it. */
    int csumFlags;
    long due;
    /** Arrival order, so frames due at the same instant leave in the order they came. */
    long order;

    boolean before(HeldFrame o) {
        return due != o.due ? due - o.due < 0 : order < o.order;
    }
}
