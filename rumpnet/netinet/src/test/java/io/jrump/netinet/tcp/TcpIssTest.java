package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The initial sequence number generator (RFC 6528): its keyed hash is SipHash-2-4, checked against
 * the reference implementation's published vector, and the numbers it gives are pinned, so that a
 * change of hash, key use or word order cannot pass unnoticed.
 */
class TcpIssTest {
    /** SipHash-2-4's reference key, bytes 00..0f, as two little-endian words. */
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    /**
     * The reference implementation's vector for the 16-byte message 00..0f under that key: output bytes
     * db 9b c2 57 7f cc 2a 3f, the little-endian word below.
     */
    @Test
    void keyedHashIsSipHash24() {
        assertEquals(0x3f2acc7f57c29bdbL, new TcpIss(K0, K1).f(K0, K1));
    }

    @Test
    void issValuesArePinned() {
        TcpIss iss = new TcpIss(0x243f6a8885a308d3L, 0x13198a2e03707344L);
        assertEquals(0x579ead36, iss.next(0xc6120001, 5001, 0xc6120002, 40000, 0));
        assertEquals(0xf7ce6773, iss.next(0xc6120002, 40000, 0xc6120001, 5001, 0), "the reverse direction differs");
        assertEquals(0x8f591d90, iss.next(0x7f000001, 80, 0x7f000001, 49152, 0));
        assertEquals(0xc0a48257, iss.next(0x0a000001, 443, 0xc0a80001, 65535, 0));
    }

    /** M, the 4-microsecond clock of RFC 6528 section 3: one four-tuple's numbers move forward with time. */
    @Test
    void sameTupleAdvancesWithTheClock() {
        TcpIss iss = new TcpIss(0x243f6a8885a308d3L, 0x13198a2e03707344L);
        assertEquals(0x5975a07b, iss.next(0xc6120001, 5001, 0xc6120002, 40000, 123_456_789_000L));
        assertEquals(123_456_789_000L / 4000, iss.next(0xc6120001, 5001, 0xc6120002, 40000, 123_456_789_000L)
                - iss.next(0xc6120001, 5001, 0xc6120002, 40000, 0));
    }
}
