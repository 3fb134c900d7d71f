package io.jrump.rumpnet.mbuf;

/**
 * The packet header ({@code m_pkthdr}) that the first mbuf of a packet carries: the packet's total
 * length, the interface it arrived on, and the checksum-offload state. It is part of every mbuf
 * object, made once with it, and valid only while the mbuf has {@link MbufFlags#M_PKTHDR}.
 */
public final class PktHdr {
    private int len;
    private int rcvif;
    private int csumFlags;
    private int csumData;

    /** Total bytes in the packet's chain. Chain operations keep it; code that writes into an mbuf directly adjusts it. */
    public int len() {
        return len;
    }

    public void setLen(int len) {
        if (len < 0) {
            throw new IllegalArgumentException("negative packet length " + len);
        }
        this.len = len;
    }

    /** The receiving interface's index ({@code if_index}), 0 for a packet made by this host. */
    public int rcvif() {
        return rcvif;
    }

    public void setRcvif(int ifIndex) {
        this.rcvif = ifIndex;
    }

    /** {@link CsumFlags} bits. */
    public int csumFlags() {
        return csumFlags;
    }

    public void setCsumFlags(int flags) {
        this.csumFlags = flags;
    }

    /** Offload data: a partial checksum, or the TSO segment size. */
    public int csumData() {
        return csumData;
    }

    public void setCsumData(int data) {
        this.csumData = data;
    }

    void copyFrom(PktHdr o) {
        len = o.len;
        rcvif = o.rcvif;
        csumFlags = o.csumFlags;
        csumData = o.csumData;
    }

    void clear() {
        len = 0;
        rcvif = 0;
        csumFlags = 0;
        csumData = 0;
    }
}
