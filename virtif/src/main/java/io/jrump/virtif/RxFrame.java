package io.jrump.virtif;

import io.jrump.kern.sched.Lwp;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.nio.ByteBuffer;

/**
 * One received frame as a link delivers it to a {@link FrameSink}: where its bytes are (a lent array, a
 * buffer the host wrote it into, or the sending kernel's mbuf chain on an in-memory wire) and its offload
 * flags. A link keeps one per delivery thread (or pool of them) and refills it for every frame, so
 * delivery allocates nothing; it is lent for the sink's call only, and read-only.
 *
 * <p>A sink that {@linkplain FrameSink#takesOffload() takes offload} turns it into the chain a kernel
 * interface takes with {@link #toMbufs}, which copies only what must be copied; any other sink is only
 * ever given a wire-ready frame in an array ({@link #array()}).
 */
public final class RxFrame {
    private byte[] array;
    private ByteBuffer buffer;
    private Mbuf chain;
    private int off;
    private int len;
    private int csumFlags;
    private int segSize;
    private Lwp sender;

    /** The frame at {@code a[off..off+len)}, with offload flags ({@code segSize} 0 without a large segment). */
    RxFrame array(byte[] a, int off, int len, int csumFlags, int segSize) {
        this.array = a;
        this.buffer = null;
        this.chain = null;
        return set(off, len, csumFlags, segSize);
    }

    /** The frame at absolute indexes {@code b[off..off+len)} of a host buffer (the position means nothing). */
    RxFrame buffer(ByteBuffer b, int off, int len, int csumFlags, int segSize) {
        this.array = null;
        this.buffer = b;
        this.chain = null;
        return set(off, len, csumFlags, segSize);
    }

    /**
     * The first {@code len} bytes of another kernel's chain {@code m}, shared with other receivers; the
     * size a large segment would be cut at is in the chain's {@code csum_data}.
     */
    RxFrame chain(Mbuf m, int len, int csumFlags) {
        this.array = null;
        this.buffer = null;
        this.chain = m;
        return set(0, len, csumFlags,
                (csumFlags & CsumFlags.M_CSUM_TSOv4) != 0 ? m.pkthdr().csumData() : 0);
    }

    private RxFrame set(int off, int len, int csumFlags, int segSize) {
        this.off = off;
        this.len = len;
        this.csumFlags = csumFlags;
        this.segSize = segSize;
        return this;
    }

    /**
     * On an in-memory wire, the sending kernel's lwp on the delivering thread (the sender's own), or null:
     * see {@link IfnetSink#receive(RxFrame)}.
     */
    RxFrame sender(Lwp l) {
        this.sender = l;
        return this;
    }

    Lwp sender() {
        return sender;
    }

    /** Forgets the storage, so that a pooled frame keeps no other kernel's chain alive. */
    void clear() {
        array = null;
        buffer = null;
        chain = null;
        sender = null;
    }

    public int length() {
        return len;
    }

    /** {@link CsumFlags}: a partial TCP checksum ({@code M_CSUM_TCPv4}), a large segment ({@code M_CSUM_TSOv4}). */
    public int csumFlags() {
        return csumFlags;
    }

    /** With {@code M_CSUM_TSOv4}, the TCP payload size the segment would be cut at ({@code gso_size}); else 0. */
    public int segSize() {
        return segSize;
    }

    /** The array the frame is in, from {@link #offset()}; null when it is in a buffer or a chain. */
    public byte[] array() {
        return array;
    }

    public int offset() {
        return off;
    }

    /**
     * The array that holds the frame's first {@link #headLength()} bytes from {@link #headOffset()}, for a look
     * at its headers before it becomes mbufs (early discard); null when the frame is in a host buffer
     * without one.
     */
    byte[] headArray() {
        if (array != null) {
            return array;
        }
        if (chain != null) {
            return chain.buf();
        }
        return buffer.hasArray() ? buffer.array() : null;
    }

    int headOffset() {
        if (array != null) {
            return off;
        }
        return chain != null ? chain.off() : buffer.arrayOffset() + off;
    }

    int headLength() {
        return chain != null ? Math.min(chain.len(), len) : len;
    }

    /** Copies the frame's bytes to {@code dst[dstOff..dstOff+length())}. */
    public void copyTo(byte[] dst, int dstOff) {
        if (array != null) {
            System.arraycopy(array, off, dst, dstOff, len);
        } else if (buffer != null) {
            buffer.get(off, dst, dstOff, len);
        } else {
            MbufCopy.copydata(chain, 0, len, dst, dstOff);
        }
    }

    /**
     * The frame as a packet of {@code pool}'s, offload flags in its header, for {@code Ifnet.input}: another
     * kernel's clusters are lent ({@link MbufCopy#lendPacket}), an array or a host buffer is copied once into
     * clusters, since it is lent for this call only. Null if no mbuf was left.
     */
    public Mbuf toMbufs(MbufPool pool) {
        Mbuf m;
        if (chain != null) {
            m = MbufCopy.lendPacket(pool, chain, len);
        } else if (buffer != null) {
            m = MbufCopy.fromBuffer(pool, buffer, off, len);
        } else {
            m = MbufCopy.fromBytes(pool, array, off, len);
        }
        if (m != null) {
            m.pkthdr().setCsumFlags(csumFlags);
            if ((csumFlags & CsumFlags.M_CSUM_TSOv4) != 0) {
                m.pkthdr().setCsumData(segSize);
            }
        }
        return m;
    }
}
