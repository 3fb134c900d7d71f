package io.jrump.virtif;

import io.jrump.net.IfOffloadStats;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.wire.InternetChecksum;

/**
 * The receive checksum of the adapter model for IP fragments (DART, seed 002: "the driver adjusts the
 * hardware-computed checksum to ignore the contribution to the hardware sum caused by the successive IP fragment
 * headers, which are not presented to the transport layer"). The adapter sums each received IPv4 UDP fragment from
 * its IP header on, as a device that sums whole network-layer packets does; the driver takes the IP header's sum
 * back out (RFC 1624's one's complement subtraction), so that {@code csum_data} ({@link CsumFlags#M_CSUM_DATA}) is the
 * sum of the fragment's payload alone. Reassembly adds the fragments' sums (their offsets are multiples of 8, so
 * none is byte-swapped) and UDP verifies the datagram from that sum and the pseudo-header without reading it.
 */
final class FragmentSum {
    private static final int ETHER = EtherLink.HEADER_LEN;

    private FragmentSum() {
    }

    /** Sets {@code m}'s adjusted payload sum if it is an IPv4 UDP fragment with its headers in the first mbuf. */
    static void apply(Mbuf m, IfOffloadStats st) {
        byte[] b = m.buf();
        int o = m.off();
        if (m.len() < ETHER + 20 || b[o + 12] != 0x08 || b[o + 13] != 0x00 || (b[o + ETHER] & 0xf0) != 0x40
                || b[o + ETHER + 9] != 17 || m.pkthdr().csumFlags() != 0) {
            return;
        }
        int ip = o + ETHER;
        int frag = (b[ip + 6] & 0xff) << 8 | b[ip + 7] & 0xff;
        int hlen = (b[ip] & 0x0f) * 4;
        int total = (b[ip + 2] & 0xff) << 8 | b[ip + 3] & 0xff;
        if ((frag & 0x3fff) == 0 || hlen < 20 || m.len() < ETHER + hlen || total < hlen
                || m.pkthdr().len() < ETHER + total) {
            return;
        }
        int hw = InternetChecksum.sum(b, ip, hlen);
        int skip = ETHER + hlen;
        int left = total - hlen;
        boolean odd = false;
        for (Mbuf x = m; x != null && left > 0; x = x.next()) {
            int l = x.len();
            if (skip >= l) {
                skip -= l;
                continue;
            }
            int n = Math.min(l - skip, left);
            hw = InternetChecksum.combine(hw, InternetChecksum.sum(x.buf(), x.off() + skip, n), odd);
            odd ^= (n & 1) != 0;
            left -= n;
            skip = 0;
        }
        // the adjustment: the repeated IP header's contribution taken back out of the adapter's sum
        int payload = InternetChecksum.add(hw, ~InternetChecksum.sum(b, ip, hlen) & 0xffff);
        m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_DATA);
        m.pkthdr().setCsumData(payload);
        st.fragSumsAdjusted.incrementAndGet();
    }
}
