package io.jrump.netinet.tcp;

import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpRepr;

/**
 * A segment the kernel sent, as the test's peer received it: the parsed header (checksums verified),
 * the payload, the IP header's TTL and DF bit, and when it left by the manual clock.
 */
record Sent(TcpRepr tcp, byte[] payload, int ttl, boolean dontFragment, long atNanos) {
    int flags() {
        return tcp.flags();
    }

    boolean has(int f) {
        return (tcp.flags() & f) != 0;
    }

    int seq() {
        return tcp.sequenceNumber();
    }

    int ack() {
        return tcp.acknowledgmentNumber();
    }

    int window() {
        return tcp.window();
    }

    int len() {
        return tcp.payloadLength();
    }

    /** Sequence space the segment takes: data, SYN and FIN. */
    int seqLen() {
        return len() + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    /** TSval, or 0 without the option. */
    int tsVal() {
        return tcp.timestamps() == null ? 0 : tcp.timestamps().value();
    }

    @Override
    public String toString() {
        return TcpTestContext.describe(tcp) + " at " + atNanos / 1_000_000 + " ms";
    }
}
