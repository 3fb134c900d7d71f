package io.jrump.virtif;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr}, the 10 bytes a tap opened with {@code IFF_VNET_HDR} puts in front of every
 * frame, in both directions (virtio 1.1 section 5.1.6, "Device Operation"; Linux
 * {@code include/uapi/linux/virtio_net.h}). It says what the sender left undone for the receiver's "hardware":
 * a checksum to finish ({@link #F_NEEDS_CSUM}: the field at {@code csum_start + csum_offset} holds the
 * pseudo-header sum and the one's complement sum of everything from {@code csum_start} to the end must be stored
 * there), a checksum already verified ({@link #F_DATA_VALID}), or a TCP segment to cut into {@code gso_size}
 * pieces ({@link #GSO_TCPV4}).
 *
 * <pre>
 *   0  u8    flags        NEEDS_CSUM 1, DATA_VALID 2
 *   1  u8    gso_type     NONE 0, TCPV4 1, UDP 3, TCPV6 4, | ECN 0x80
 *   2  le16  hdr_len      Ethernet + IP + TCP header bytes of a GSO frame
 *   4  le16  gso_size     payload bytes per segment (the MSS)
 *   6  le16  csum_start   where the checksummed range starts, from the Ethernet header
 *   8  le16  csum_offset  where in that range the checksum field is (16 for TCP)
 * </pre>
 *
 * The fields are little-endian: the tap was not set to big-endian ({@code TUNSETVNETBE}), and a modern
 * (virtio 1.0) header is little-endian on every host. One instance is reused per direction; nothing allocates
 * per frame.
 */
final class VirtioNetHdr {
    /** {@code sizeof(struct virtio_net_hdr)}, which Linux's tap uses unless told otherwise ({@code TUNSETVNETHDRSZ}). */
    static final int LEN = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    /** The segments carry ECN (RFC 3168): CWR is to be set on the first one only. */
    static final int GSO_ECN = 0x80;

    int flags;
    int gsoType;
    int hdrLen;
    int gsoSize;
    int csumStart;
    int csumOffset;

    /** Sets every field to zero: a complete frame with nothing left to do. */
    VirtioNetHdr clear() {
        flags = 0;
        gsoType = GSO_NONE;
        hdrLen = 0;
        gsoSize = 0;
        csumStart = 0;
        csumOffset = 0;
        return this;
    }

    /** Reads the header at {@code b[at..at+LEN)}. */
    VirtioNetHdr decode(ByteBuffer b, int at) {
        ByteBuffer le = b.order() == ByteOrder.LITTLE_ENDIAN ? b : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        flags = le.get(at) & 0xff;
        gsoType = le.get(at + 1) & 0xff;
        hdrLen = le.getShort(at + 2) & 0xffff;
        gsoSize = le.getShort(at + 4) & 0xffff;
        csumStart = le.getShort(at + 6) & 0xffff;
        csumOffset = le.getShort(at + 8) & 0xffff;
        return this;
    }

    /** Writes the header at {@code b[at..at+LEN)}. */
    void encode(ByteBuffer b, int at) {
        ByteBuffer le = b.order() == ByteOrder.LITTLE_ENDIAN ? b : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.put(at, (byte) flags);
        le.put(at + 1, (byte) gsoType);
        le.putShort(at + 2, (short) hdrLen);
        le.putShort(at + 4, (short) gsoSize);
        le.putShort(at + 6, (short) csumStart);
        le.putShort(at + 8, (short) csumOffset);
    }

    @Override
    public String toString() {
        return "virtio_net_hdr{flags=" + flags + " gso_type=" + gsoType + " hdr_len=" + hdrLen + " gso_size=" + gsoSize
                + " csum_start=" + csumStart + " csum_offset=" + csumOffset + "}";
    }
}
