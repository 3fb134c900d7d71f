package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The option-area rules of RFC 9293 section 3.1/3.2, one malformed case per test row. */
class TcpOptionsTest {
    private final TcpOptions cursor = new TcpOptions();
    private final TcpPacket segment = new TcpPacket();

    /** Builds a checksummed segment whose options area is {@code optionsHex} (a multiple of 4 bytes). */
    private TcpPacket segmentWith(String optionsHex) {
        byte[] opts = Hex.bytes(optionsHex);
        byte[] s = new byte[20 + opts.length];
        TcpRepr.of(1, 2, 3, 4, TcpFlags.SYN, 5, 0).emit(segment.wrap(s, 0, 20), 0, 0);
        System.arraycopy(opts, 0, s, 20, opts.length);
        segment.wrap(s, 0, s.length);
        segment.setHeaderLength(s.length);
        segment.fillChecksum(0, 0);
        return segment;
    }

    private static final String[] MALFORMED = {
        "02000000",                     // length 0: a parser that trusts it never advances
        "02010000",                     // length 1: shorter than kind + length
        "1e010000",                     // unknown kind with length 1
        "01010102",                     // kind in the last byte, length byte missing
        "0101020a 00000000",            // length runs past the end of the area
        "1e080000",                     // unknown kind running past the end
        "02030500",                     // MSS with length 3
        "02050500 00000000",            // MSS with length 5
        "03040a00",                     // window scale with length 4
        "04030000",                     // SACK-permitted with length 3
        "0808 00000000 00000000 0000",  // timestamps with length 8
        "01010502",                     // SACK with no block
        "0101050b 00000000 00000000 00000000", // SACK with length 11, not 2 + 8n
    };

    @Test
    void malformedLengthsAreRejectedEverywhere() {
        for (String opts : MALFORMED) {
            TcpPacket s = segmentWith(opts);
            assertEquals(WireError.BAD_OPTION, s.check(), opts);
            assertEquals(WireError.BAD_OPTION, TcpOptions.validate(s.buffer(), s.optionsOffset(), s.optionsLength()));
            cursor.wrap(s.buffer(), s.optionsOffset(), s.optionsLength());
            while (cursor.next()) {
                assertTrue(cursor.length() >= 2);
            }
            assertEquals(WireError.BAD_OPTION, cursor.error(), opts);
            assertEquals(WireError.BAD_OPTION, assertThrows(WireException.class,
                    () -> TcpRepr.parse(segment, 0, 0)).error(), opts);
        }
    }

    @Test
    void unknownOptionsAreSkippedByLength() throws WireException {
        TcpPacket s = segmentWith("1e06abcd ef01 020405b4 01 030307 0000");
        assertEquals(WireError.OK, s.check());
        TcpRepr r = TcpRepr.parse(s, 0, 0);
        assertEquals(1460, r.maxSegmentSize());
        assertEquals(7, r.windowScale());
        cursor.wrap(s);
        assertTrue(cursor.next());
        assertEquals(0x1e, cursor.kind());
        assertEquals(6, cursor.length());
        assertEquals(0xab, s.buffer()[cursor.valueOffset()] & 0xff);
        assertTrue(cursor.next());
        assertEquals(TcpOption.MSS, cursor.kind());
        assertTrue(cursor.next());
        assertEquals(TcpOption.WINDOW_SCALE, cursor.kind());
        assertFalse(cursor.next());
        assertEquals(WireError.OK, cursor.error());
    }

    @Test
    void endOfOptionListEndsParsingAndWhatFollowsIsPadding() throws WireException {
        TcpPacket s = segmentWith("020405b4 00020000");
        assertEquals(WireError.OK, s.check(), "garbage after EOL is not parsed");
        assertEquals(1460, TcpRepr.parse(s, 0, 0).maxSegmentSize());
    }

    @Test
    void nopOnlyAndEmptyAreasAreValid() {
        assertEquals(WireError.OK, segmentWith("01010101").check());
        assertEquals(WireError.OK, segmentWith("").check());
        assertEquals(WireError.OK, TcpOptions.validate(new byte[0], 0, 0));
    }

    @Test
    void sackBlockAccessors() {
        TcpPacket s = segmentWith("0101 0512 00000001 00000002 fffffff0 00000010");
        assertEquals(WireError.OK, s.check());
        cursor.wrap(s);
        assertTrue(cursor.next());
        assertEquals(2, cursor.sackBlockCount());
        assertEquals(1, cursor.sackLeft(0));
        assertEquals(2, cursor.sackRight(0));
        assertEquals(0xfffffff0, cursor.sackLeft(1));
        assertEquals(0x10, cursor.sackRight(1));
    }

    @Test
    void encodersReturnTheNextIndex() {
        byte[] b = new byte[40];
        int p = TcpOption.writeMss(b, 0, 1460);
        p = TcpOption.writeSackPermitted(b, p);
        p = TcpOption.writeTimestamps(b, p, 0x4fdfc3df, 0);
        p = TcpOption.writeNop(b, p);
        p = TcpOption.writeWindowScale(b, p, 10);
        assertEquals(20, p);
        assertEquals("020405b40402080a4fdfc3df0000000001 03030a".replace(" ", ""), Hex.string(b, 0, 20));
        p = TcpOption.writeSackHeader(b, p, 1);
        p = TcpOption.writeSackBlock(b, p, 5, 6);
        assertEquals(30, TcpOption.writeEol(b, p) - 1);
        assertEquals(WireError.OK, TcpOptions.validate(b, 0, 31));
    }
}
