package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import io.jrump.virtif.FrameSink;
import io.jrump.virtif.TapLink;
import java.util.Map;

/**
 * The least any stack behind a tap can do for a ping on this host, measured beside the rump kernel in
 * {@code bench/run tap}: a responder with no kernel at all, on the same {@link TapLink} (the same JNA reads
 * and writes, the same receive thread parked in {@code poll}), that answers ARP requests and ICMP echo
 * requests for one address straight from the receive thread. What the rump kernel's round trip adds to
 * this is its own; what this adds to the loopback's is the tap and the thread wake-up, which no stack
 * behind a tap avoids.
 */
final class TapEchoFloor implements FrameSink, AutoCloseable {
    private static final int ETHER = 14;
    private static final byte[] MAC = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

    private final TapLink tap;
    private final byte[] ip;
    private final byte[] out = new byte[2048];

    private TapEchoFloor(TapLink tap, byte[] ip) {
        this.tap = tap;
        this.ip = ip.clone();
    }

    /** Opens tap {@code name} (created if missing) and answers for {@code ip} (4 bytes) on it. */
    static TapEchoFloor open(String name, byte[] ip) {
        Hypercall hc = HostHypercall.builder().environment(Map.of()).build();
        TapEchoFloor f = new TapEchoFloor(TapLink.open(hc, name), ip);
        f.tap.setReceiver(f);
        return f;
    }

    @Override
    public void receive(byte[] f, int off, int len) {
        if (len > out.length || len < ETHER + 28) {
            return;
        }
        int type = u16(f, off + 12);
        if (type == 0x0806 && u16(f, off + 20) == 1 && same(f, off + ETHER + 24, ip)) {
            System.arraycopy(f, off, out, 0, ETHER + 28);
            System.arraycopy(f, off + 6, out, 0, 6);
            System.arraycopy(MAC, 0, out, 6, 6);
            out[21] = 2;
            System.arraycopy(f, off + ETHER + 8, out, ETHER + 18, 10);
            System.arraycopy(MAC, 0, out, ETHER + 8, 6);
            System.arraycopy(ip, 0, out, ETHER + 14, 4);
            tap.send(out, 0, ETHER + 28);
        } else if (type == 0x0800 && (f[off + ETHER] & 0xff) == 0x45 && f[off + ETHER + 9] == 1
                && same(f, off + ETHER + 16, ip) && f[off + ETHER + 20] == 8) {
            System.arraycopy(f, off, out, 0, len);
            System.arraycopy(f, off + 6, out, 0, 6);
            System.arraycopy(MAC, 0, out, 6, 6);
            System.arraycopy(f, off + ETHER + 16, out, ETHER + 12, 4);
            System.arraycopy(f, off + ETHER + 12, out, ETHER + 16, 4);
            out[ETHER + 20] = 0;
            // RFC 1624 incremental update: the type word went from 0x0800 to 0x0000
            int sum = (~u16(out, ETHER + 22) & 0xffff) + (~0x0800 & 0xffff);
            sum = (sum & 0xffff) + (sum >>> 16);
            sum = (sum & 0xffff) + (sum >>> 16);
            int c = ~sum & 0xffff;
            out[ETHER + 22] = (byte) (c >>> 8);
            out[ETHER + 23] = (byte) c;
            tap.send(out, 0, len);
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
    }

    private static boolean same(byte[] b, int p, byte[] v) {
        for (int i = 0; i < v.length; i++) {
            if (b[p + i] != v[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        tap.close();
    }
}
