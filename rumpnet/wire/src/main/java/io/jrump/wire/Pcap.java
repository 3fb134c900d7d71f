package io.jrump.wire;

/**
 * The classic libpcap file format (what tcpdump, tshark and Wireshark read): a 24-byte global header,
 * then per frame a 16-byte record header and the frame bytes. Interface taps and
 * {@code shmif_dumpbus} both write it, so the layout lives here, below both. Little-endian, as
 * written on the hosts we run on; readers detect byte order from the magic number.
 */
public final class Pcap {
    /** Magic number of a microsecond-resolution file. */
    public static final int MAGIC_USEC = 0xa1b2c3d4;
    /** {@code LINKTYPE_ETHERNET}. */
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_LEN = 24;
    public static final int RECORD_HEADER_LEN = 16;
    /** Snapshot length we declare: large enough for any frame a 64 KB-MTU interface sends. */
    public static final int SNAPLEN = 262144;

    private Pcap() {
    }

    /** Writes the global header into {@code buf} at {@code off}; returns its length. */
    public static int writeGlobalHeader(byte[] buf, int off, int linkType) {
        putLe32(buf, off, MAGIC_USEC);
        putLe16(buf, off + 4, 2);
        putLe16(buf, off + 6, 4);
        putLe32(buf, off + 8, 0);
        putLe32(buf, off + 12, 0);
        putLe32(buf, off + 16, SNAPLEN);
        putLe32(buf, off + 20, linkType);
        return GLOBAL_HEADER_LEN;
    }

    /**
     * Writes a record header for a frame of {@code length} bytes seen at {@code wallNanos} (Unix epoch),
     * of which {@code captured} bytes follow in the file; returns its length.
     */
    public static int writeRecordHeader(byte[] buf, int off, long wallNanos, int captured, int length) {
        long sec = Math.floorDiv(wallNanos, 1_000_000_000L);
        long usec = Math.floorMod(wallNanos, 1_000_000_000L) / 1000;
        putLe32(buf, off, (int) sec);
        putLe32(buf, off + 4, (int) usec);
        putLe32(buf, off + 8, captured);
        putLe32(buf, off + 12, length);
        return RECORD_HEADER_LEN;
    }

    private static void putLe16(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
    }

    private static void putLe32(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
    }
}
