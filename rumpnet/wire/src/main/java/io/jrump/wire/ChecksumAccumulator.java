package io.jrump.wire;

/**
 * A reusable running Internet checksum (RFC 1071) over several byte ranges, such as the buffers of an mbuf chain, a
 * pseudo-header and a header kept apart from its data.
 *
 * <p>It remembers whether an odd number of bytes has been added so far, so a range that ends in the middle of a
 * 16-bit word continues correctly in the next one (RFC 1071 section 2(B)); the result equals the checksum of the
 * concatenated ranges. Allocation-free and meant to be kept per context and {@link #reset()} per packet; not
 * thread-safe.
 */
public final class ChecksumAccumulator {
    private int sum;
    private boolean odd;

    /** Starts over with nothing summed. */
    public ChecksumAccumulator reset() {
        sum = 0;
        odd = false;
        return this;
    }

    /** Appends {@code len} bytes of {@code buf} starting at {@code off} to the checksummed data. */
    public ChecksumAccumulator add(byte[] buf, int off, int len) {
        sum = InternetChecksum.combine(sum, InternetChecksum.sum(buf, off, len), odd);
        odd ^= (len & 1) != 0;
        return this;
    }

    /**
     * Appends the IPv4 pseudo-header of UDP or TCP (RFC 768, RFC 9293 section 3.1). It is 12 bytes long, so it
     * does not change the parity; add it first or at any even position.
     */
    public ChecksumAccumulator addPseudoHeader(int source, int destination, int protocol, int length) {
        sum = InternetChecksum.combine(sum,
                InternetChecksum.pseudoHeaderSum(source, destination, protocol, length), odd);
        return this;
    }

    /**
     * Appends a piece given by its folded sum alone (a device's or a lower layer's sum of data this code does not
     * read again), taken to start right after what was added so far; its length is even or it is the last piece.
     */
    public ChecksumAccumulator addSum(int pieceSum) {
        sum = InternetChecksum.combine(sum, pieceSum & 0xffff, odd);
        return this;
    }

    /** Whether an odd number of bytes has been added, i.e. the next byte would be the low byte of a word. */
    public boolean oddLength() {
        return odd;
    }

    /** The folded one's complement sum of everything added so far. */
    public int sum() {
        return sum;
    }

    /** The checksum to store in a header: the complement of {@link #sum()}. */
    public int checksum() {
        return InternetChecksum.finish(sum);
    }
}
