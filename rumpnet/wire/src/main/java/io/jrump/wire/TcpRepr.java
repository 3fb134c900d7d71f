package io.jrump.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsed form of a TCP header with the options this stack understands (RFC 9293 section 3.1).
 *
 * <p>Options are kept as values, not bytes: {@link #emit} lays them out the way Linux does (MSS; SACK-permitted
 * sharing a word with timestamps, or NOP NOP before either alone; NOP and window scale; NOP NOP before SACK blocks),
 * so every option starts at the offset where a peer's fast path expects it (RFC 7323 Appendix A recommends the
 * NOP NOP timestamps layout for that reason). If that padding would not fit in the 40 option bytes, the options
 * are packed without it. Which options may appear in which segment (MSS, window scale and SACK-permitted only on
 * SYN) is for TCP to enforce; the repr records what the bytes say. When an option appears twice, the last one wins.
 *
 * <p>As for UDP, the IPv4 addresses are arguments of {@link #parse} and {@link #emit} because the checksum covers
 * them through the pseudo-header.
 *
 * @param sourcePort           sender's port
 * @param destinationPort      receiver's port
 * @param sequenceNumber       unsigned 32-bit value in an {@code int}
 * @param acknowledgmentNumber unsigned 32-bit value in an {@code int}
 * @param flags                control bits, see {@link TcpFlags}
 * @param window               the window field as sent (unscaled)
 * @param urgentPointer        the urgent pointer field
 * @param maxSegmentSize       MSS option value, or {@link #NO_OPTION} (RFC 9293 section 3.7.1, RFC 6691)
 * @param windowScale          window scale shift as sent, or {@link #NO_OPTION} (RFC 7323 section 2)
 * @param sackPermitted        whether the SACK-permitted option is present (RFC 2018 section 2)
 * @param timestamps           the timestamps option, or {@code null} if absent (RFC 7323 section 3)
 * @param sackBlocks           SACK blocks, empty if the option is absent (RFC 2018 section 3); never {@code null}
 * @param payloadLength        data bytes after the header
 */
public record TcpRepr(int sourcePort, int destinationPort, int sequenceNumber, int acknowledgmentNumber, int flags,
                      int window, int urgentPointer, int maxSegmentSize, int windowScale, boolean sackPermitted,
                      Timestamps timestamps, List<SackBlock> sackBlocks, int payloadLength) {

    /** Marks an absent MSS or window scale option. */
    public static final int NO_OPTION = -1;

    /**
     * The timestamps option (RFC 7323 section 3.2).
     *
     * @param value     TSval, the sender's timestamp clock
     * @param echoReply TSecr, the most recent TSval received from the peer; zero unless ACK is set
     */
    public record Timestamps(int value, int echoReply) {
    }

    /**
     * One SACK block: bytes received out of order (RFC 2018 section 3).
     *
     * @param left  first sequence number of the block
     * @param right sequence number just after the block
     */
    public record SackBlock(int left, int right) {
    }

    /**
     * @throws IllegalArgumentException if a field does not fit its bits, there are more than four SACK blocks, or the
     *                                  options do not fit in 40 bytes
     */
    public TcpRepr {
        sackBlocks = sackBlocks == null ? List.of() : List.copyOf(sackBlocks);
        if (sourcePort < 0 || sourcePort > 0xffff || destinationPort < 0 || destinationPort > 0xffff
                || flags < 0 || flags > 0xff || window < 0 || window > 0xffff
                || urgentPointer < 0 || urgentPointer > 0xffff
                || maxSegmentSize < NO_OPTION || maxSegmentSize > 0xffff
                || windowScale < NO_OPTION || windowScale > 0xff
                || sackBlocks.size() > TcpOption.MAX_SACK_BLOCKS || payloadLength < 0) {
            throw new IllegalArgumentException("bad TCP fields");
        }
        if (packedOptionsLength(maxSegmentSize, windowScale, sackPermitted, timestamps, sackBlocks.size())
                > TcpOption.MAX_OPTIONS_LEN) {
            throw new IllegalArgumentException("TCP options do not fit in 40 bytes");
        }
    }

    /** A segment without options. */
    public static TcpRepr of(int sourcePort, int destinationPort, int sequenceNumber, int acknowledgmentNumber,
                             int flags, int window, int payloadLength) {
        return new TcpRepr(sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags, window, 0,
                NO_OPTION, NO_OPTION, false, null, List.of(), payloadLength);
    }

    /**
     * Reads and validates a segment; the view must wrap exactly the IP payload.
     *
     * @throws WireException the error of {@link TcpPacket#check()}, or {@link WireError#BAD_CHECKSUM}
     */
    public static TcpRepr parse(TcpPacket segment, int source, int destination) throws WireException {
        WireException.throwIfBad(segment.check(), "TCP header");
        if (!segment.verifyChecksum(source, destination)) {
            throw new WireException(WireError.BAD_CHECKSUM, "TCP checksum");
        }
        int mss = NO_OPTION;
        int wscale = NO_OPTION;
        boolean sackOk = false;
        Timestamps ts = null;
        List<SackBlock> blocks = List.of();
        TcpOptions options = new TcpOptions().wrap(segment);
        while (options.next()) {
            switch (options.kind()) {
                case TcpOption.MSS:
                    mss = options.mss();
                    break;
                case TcpOption.WINDOW_SCALE:
                    wscale = options.windowScale();
                    break;
                case TcpOption.SACK_PERMITTED:
                    sackOk = true;
                    break;
                case TcpOption.TIMESTAMPS:
                    ts = new Timestamps(options.timestampValue(), options.timestampEchoReply());
                    break;
                case TcpOption.SACK:
                    List<SackBlock> list = new ArrayList<>(options.sackBlockCount());
                    for (int i = 0; i < options.sackBlockCount(); i++) {
                        list.add(new SackBlock(options.sackLeft(i), options.sackRight(i)));
                    }
                    blocks = list;
                    break;
                default:
                    break;
            }
        }
        WireException.throwIfBad(options.error(), "TCP options");
        return new TcpRepr(segment.sourcePort(), segment.destinationPort(), segment.sequenceNumber(),
                segment.acknowledgmentNumber(), segment.flags(), segment.window(), segment.urgentPointer(),
                mss, wscale, sackOk, ts, blocks, segment.payloadLength());
    }

    /** Whether the header carries no options. */
    public boolean hasOptions() {
        return maxSegmentSize != NO_OPTION || windowScale != NO_OPTION || sackPermitted || timestamps != null
                || !sackBlocks.isEmpty();
    }

    /** Bytes of options {@link #emit} writes, padding included: a multiple of 4, at most 40. */
    public int optionsLength() {
        int aligned = alignedOptionsLength();
        return aligned <= TcpOption.MAX_OPTIONS_LEN ? aligned
                : packedOptionsLength(maxSegmentSize, windowScale, sackPermitted, timestamps, sackBlocks.size());
    }

    /** Header bytes {@link #emit} writes: 20 plus {@link #optionsLength()}; the data goes after them. */
    public int headerLen() {
        return TcpPacket.HEADER_LEN + optionsLength();
    }

    /** Header plus data: what the checksum covers, and so the least the view given to {@link #emit} must wrap. */
    public int bufferLen() {
        return headerLen() + payloadLength;
    }

    /**
     * Writes header and options and the checksum over pseudo-header, header and the {@link #payloadLength()} data
     * bytes, which must already be in the buffer at offset {@link #headerLen()}.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    public void emit(TcpPacket segment, int source, int destination) {
        int hlen = headerLen();
        segment.requireLength(hlen + payloadLength, "TCP segment");
        segment.setSourcePort(sourcePort);
        segment.setDestinationPort(destinationPort);
        segment.setSequenceNumber(sequenceNumber);
        segment.setAcknowledgmentNumber(acknowledgmentNumber);
        segment.setHeaderLength(hlen);
        segment.setFlags(flags);
        segment.setWindow(window);
        segment.setUrgentPointer(urgentPointer);
        byte[] buf = segment.buffer();
        int start = segment.optionsOffset();
        int end = start + hlen - TcpPacket.HEADER_LEN;
        int p = alignedOptionsLength() <= TcpOption.MAX_OPTIONS_LEN
                ? writeAligned(buf, start) : writePacked(buf, start);
        while (p < end) {
            p = TcpOption.writeEol(buf, p);
        }
        segment.fillChecksum(source, destination, hlen + payloadLength);
    }

    private int alignedOptionsLength() {
        int n = 0;
        if (maxSegmentSize != NO_OPTION) {
            n += 4;
        }
        if (timestamps != null) {
            n += 12;
        } else if (sackPermitted) {
            n += 4;
        }
        if (windowScale != NO_OPTION) {
            n += 4;
        }
        if (!sackBlocks.isEmpty()) {
            n += 4 + TcpOption.SACK_BLOCK_LEN * sackBlocks.size();
        }
        return n;
    }

    private static int packedOptionsLength(int mss, int wscale, boolean sackOk, Timestamps ts, int blocks) {
        int n = 0;
        if (mss != NO_OPTION) {
            n += TcpOption.MSS_LEN;
        }
        if (sackOk) {
            n += TcpOption.SACK_PERMITTED_LEN;
        }
        if (ts != null) {
            n += TcpOption.TIMESTAMPS_LEN;
        }
        if (wscale != NO_OPTION) {
            n += TcpOption.WINDOW_SCALE_LEN;
        }
        if (blocks > 0) {
            n += 2 + TcpOption.SACK_BLOCK_LEN * blocks;
        }
        return (n + 3) & ~3;
    }

    private int writeAligned(byte[] buf, int p) {
        if (maxSegmentSize != NO_OPTION) {
            p = TcpOption.writeMss(buf, p, maxSegmentSize);
        }
        if (timestamps != null) {
            if (sackPermitted) {
                p = TcpOption.writeSackPermitted(buf, p);
            } else {
                p = TcpOption.writeNop(buf, TcpOption.writeNop(buf, p));
            }
            p = TcpOption.writeTimestamps(buf, p, timestamps.value(), timestamps.echoReply());
        } else if (sackPermitted) {
            p = TcpOption.writeNop(buf, TcpOption.writeNop(buf, p));
            p = TcpOption.writeSackPermitted(buf, p);
        }
        if (windowScale != NO_OPTION) {
            p = TcpOption.writeNop(buf, p);
            p = TcpOption.writeWindowScale(buf, p, windowScale);
        }
        if (!sackBlocks.isEmpty()) {
            p = TcpOption.writeNop(buf, TcpOption.writeNop(buf, p));
            p = writeSack(buf, p);
        }
        return p;
    }

    private int writePacked(byte[] buf, int p) {
        if (maxSegmentSize != NO_OPTION) {
            p = TcpOption.writeMss(buf, p, maxSegmentSize);
        }
        if (sackPermitted) {
            p = TcpOption.writeSackPermitted(buf, p);
        }
        if (timestamps != null) {
            p = TcpOption.writeTimestamps(buf, p, timestamps.value(), timestamps.echoReply());
        }
        if (windowScale != NO_OPTION) {
            p = TcpOption.writeWindowScale(buf, p, windowScale);
        }
        if (!sackBlocks.isEmpty()) {
            p = writeSack(buf, p);
        }
        return p;
    }

    private int writeSack(byte[] buf, int p) {
        p = TcpOption.writeSackHeader(buf, p, sackBlocks.size());
        for (SackBlock b : sackBlocks) {
            p = TcpOption.writeSackBlock(buf, p, b.left(), b.right());
        }
        return p;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpRepr[").append(sourcePort).append(" > ").append(destinationPort)
                .append(' ').append(TcpFlags.toString(flags))
                .append(" seq ").append(Integer.toUnsignedString(sequenceNumber))
                .append(" ack ").append(Integer.toUnsignedString(acknowledgmentNumber))
                .append(" win ").append(window);
        if (urgentPointer != 0) {
            sb.append(" urg ").append(urgentPointer);
        }
        if (maxSegmentSize != NO_OPTION) {
            sb.append(" mss ").append(maxSegmentSize);
        }
        if (sackPermitted) {
            sb.append(" sackOK");
        }
        if (timestamps != null) {
            sb.append(" TS val ").append(Integer.toUnsignedString(timestamps.value()))
                    .append(" ecr ").append(Integer.toUnsignedString(timestamps.echoReply()));
        }
        if (windowScale != NO_OPTION) {
            sb.append(" wscale ").append(windowScale);
        }
        for (SackBlock b : sackBlocks) {
            sb.append(" sack ").append(Integer.toUnsignedString(b.left())).append(':')
                    .append(Integer.toUnsignedString(b.right()));
        }
        return sb.append(" len ").append(payloadLength).append(']').toString();
    }
}
