package io.jrump.net;

import io.jrump.hypercall.HyperFile;
import io.jrump.hypercall.HyperFiles;
import io.jrump.hypercall.Hypercall;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.Pcap;
import java.nio.ByteBuffer;

/**
 * A capture of an interface into a pcap file, written through the hypercall layer (the kernel has no
 * other way to a host file). Each frame is copied out of its chain into one reused buffer and appended,
 * so capturing makes no garbage per packet.
 */
public final class PcapTap implements BpfTap {
    private final Hypercall hc;
    private final HyperFile file;
    private final byte[] scratch = new byte[Pcap.RECORD_HEADER_LEN + 65536 + 64];
    private final ByteBuffer out = ByteBuffer.wrap(scratch);
    private long offset;
    private long frames;
    private boolean closed;

    public PcapTap(Hypercall hc, String path) {
        this.hc = hc;
        this.file = hc.files().open(path, HyperFiles.O_WRONLY | HyperFiles.O_CREATE | HyperFiles.O_TRUNC);
        int n = Pcap.writeGlobalHeader(scratch, 0, Pcap.LINKTYPE_ETHERNET);
        write(n);
    }

    private void write(int n) {
        out.clear().limit(n);
        offset += file.pwrite(out, offset);
    }

    @Override
    public synchronized void tap(Ifnet ifp, Mbuf m, boolean outbound) {
        if (closed) {
            return;
        }
        int len = m.pkthdr().len();
        int cap = Math.min(len, scratch.length - Pcap.RECORD_HEADER_LEN);
        Pcap.writeRecordHeader(scratch, 0, hc.clock().wallNanos(), cap, len);
        MbufCopy.copydata(m, 0, cap, scratch, Pcap.RECORD_HEADER_LEN);
        write(Pcap.RECORD_HEADER_LEN + cap);
        frames++;
    }

    public synchronized long frames() {
        return frames;
    }

    public synchronized void close() {
        if (!closed) {
            closed = true;
            file.close();
        }
    }
}
