package io.jrump.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of the data taken as
 * big-endian 16-bit words. IPv4 (RFC 791 section 3.1), ICMP (RFC 792), UDP (RFC 768) and TCP (RFC 9293 section 3.1)
 * all use it.
 *
 * <p>Two representations appear in this API and should not be confused. A <em>sum</em> is a folded one's complement
 * sum in {@code 0..0xffff}; sums of separate pieces can be added with {@link #add}. A <em>checksum</em> is
 * {@code ~sum & 0xffff}, the value stored in a header ({@link #finish}).
 *
 * <p>Pieces can be summed separately and combined because one's complement addition is associative and commutative
 * (RFC 1071 section 2(A)). A piece that starts at an odd offset of the checksummed data has its bytes in the other
 * halves of the 16-bit words; by byte-order independence (RFC 1071 section 2(B)) its sum is the byte-swapped sum of
 * the same bytes taken as if they started at an even offset. That is what lets an mbuf chain be checksummed piece by
 * piece without flattening it; {@link ChecksumAccumulator} keeps track of the parity.
 *
 * <p>RFC 1624 incremental update ({@link #update}) lets a router that only changed the TTL, or a NAT that rewrote an
 * address, patch a checksum without touching the rest of the header.
 */
public final class InternetChecksum {
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private InternetChecksum() {
    }

    /**
     * One's complement sum of {@code len} bytes starting at {@code off}, as if the first byte were the high byte of a
     * 16-bit word; an odd last byte is padded on the right with zero (RFC 1071 section 1, step 1).
     *
     * <p>The bytes are read eight at a time in the machine's little-endian order and their 32-bit halves added into a
     * {@code long}, folded at the end (RFC 1071 section 2(C), "deferred carries": 2^16 &equiv; 1 mod 2^16 - 1). The
     * little-endian sum is the byte-swapped big-endian one (section 2(B), byte order independence), so one swap of
     * the folded result gives the network-order sum. Each 16-byte step adds four values below 2^32, so the
     * accumulator cannot overflow for any array Java can hold.
     *
     * @return the folded sum in {@code 0..0xffff}
     */
    public static int sum(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        long acc = 0;
        int i = off;
        int end = off + len;
        for (; end - i >= 16; i += 16) {
            long a = (long) LE_LONG.get(buf, i);
            long b = (long) LE_LONG.get(buf, i + 8);
            acc += (a & 0xffff_ffffL) + (a >>> 32) + (b & 0xffff_ffffL) + (b >>> 32);
        }
        for (; end - i >= 4; i += 4) {
            acc += (int) LE_INT.get(buf, i) & 0xffff_ffffL;
        }
        for (; end - i >= 2; i += 2) {
            acc += (buf[i] & 0xff) | (buf[i + 1] & 0xff) << 8;
        }
        if (i < end) {
            acc += buf[i] & 0xff;
        }
        return swapBytes(fold(acc));
    }

    /** Folds the carries of a wide accumulator back into 16 bits (RFC 1071 section 4.1, the end-around carry). */
    public static int fold(long acc) {
        acc = (acc & 0xffff_ffffL) + (acc >>> 32);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        return (int) ((acc & 0xffff) + (acc >>> 16));
    }

    /** One's complement addition of two sums. */
    public static int add(int a, int b) {
        return fold((a & 0xffffL) + (b & 0xffffL));
    }

    /**
     * Adds the sum of a piece to a running sum, byte-swapping it when the piece begins at an odd offset of the whole
     * (RFC 1071 section 2(B)).
     *
     * @param running        the sum of everything before the piece
     * @param piece          {@link #sum} of the piece computed on its own
     * @param oddStartOffset whether an odd number of bytes precede the piece
     */
    public static int combine(int running, int piece, boolean oddStartOffset) {
        return add(running, oddStartOffset ? swapBytes(piece) : piece);
    }

    /** Exchanges the two bytes of a 16-bit value. */
    public static int swapBytes(int v) {
        return (v & 0xff) << 8 | (v >>> 8 & 0xff);
    }

    /** Turns a sum into the checksum a header stores: its one's complement. */
    public static int finish(int sum) {
        return ~sum & 0xffff;
    }

    /** The checksum of one contiguous range, e.g. an IPv4 header whose checksum field was zeroed. */
    public static int compute(byte[] buf, int off, int len) {
        return finish(sum(buf, off, len));
    }

    /**
     * Whether a range that includes its stored checksum verifies: the sum over the data and the checksum is all
     * ones (RFC 1071 section 1, step 3).
     */
    public static boolean verify(byte[] buf, int off, int len) {
        return sum(buf, off, len) == 0xffff;
    }

    /**
     * Sum of the IPv4 pseudo-header that UDP (RFC 768, "pseudo header") and TCP (RFC 9293 section 3.1) prefix to
     * their checksum: source address, destination address, a zero byte, the protocol number and the transport
     * length (header plus data). Covering the addresses protects against segments delivered to the wrong host.
     *
     * @param length the UDP length or TCP segment length, not including the pseudo-header
     */
    public static int pseudoHeaderSum(int source, int destination, int protocol, int length) {
        long acc = (source & 0xffff_ffffL) + (destination & 0xffff_ffffL) + (protocol & 0xff) + (length & 0xffff);
        return fold(acc);
    }

    /**
     * RFC 1624 incremental update: the new checksum after one 16-bit word of the covered data changed from
     * {@code oldWord} to {@code newWord}, computed as {@code HC' = ~(~HC + ~m + m')} (RFC 1624 section 3, eqn. 3).
     * Eqn. 3 is used rather than the RFC 1141 form because the latter can yield 0xffff where a full recomputation
     * yields 0x0000 (RFC 1624 section 4).
     */
    public static int update(int checksum, int oldWord, int newWord) {
        long acc = (~checksum & 0xffffL) + (~oldWord & 0xffffL) + (newWord & 0xffffL);
        return finish(fold(acc));
    }

    /** {@link #update} for a 32-bit field such as an IPv4 address rewritten by NAT: two 16-bit words change. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long acc = (~checksum & 0xffffL)
                + (~oldValue >>> 16 & 0xffffL) + (~oldValue & 0xffffL)
                + (newValue >>> 16 & 0xffffL) + (newValue & 0xffffL);
        return finish(fold(acc));
    }
}
