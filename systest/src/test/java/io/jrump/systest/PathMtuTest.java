package io.jrump.systest;

import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.configure;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path MTU discovery across a router (RFC 1191): a and b both have 1500-byte links, so they agree on a
 * 1460-byte MSS, but the router's link to b takes only 1280. With {@code net.inet.ip.mtudisc=1} (the
 * default, as on NetBSD) a's segments carry DF, the router answers the first that does not fit with
 * "fragmentation needed", and a sends smaller segments from then on: the router fragments nothing.
 * With it off the router fragments every full segment and b reassembles. Either way b gets every byte,
 * and no frame on the narrow link is larger than its MTU, though a's segments reach the router whole
 * (TSO) and are cut there.
 */
class PathMtuTest {

    @ParameterizedTest(name = "mtudisc={0}")
    @ValueSource(ints = {1, 0})
    void aSenderLearnsTheNarrowLinkBehindARouter(int mtudisc) throws Exception {
        try (TestNet net = new TestNet()) {
            Hub left = new Hub("left");
            Hub right = new Hub("right");
            Kernel a = net.boot("a");
            Kernel r = net.boot("router");
            Kernel b = net.boot("b");
            attach(a, "shmif0", left.attach(), "198.18.1.1/24");
            attach(r, "shmif0", left.attach(), "198.18.1.254/24");
            EtherIfs.attach(r, "shmif1", right.attach(), 1280);
            configure(r, "shmif1", "198.18.2.254/24");
            Ifnet bIf = attach(b, "shmif0", right.attach(), "198.18.2.1/24");
            RouterTest.defaultRoute(a, "198.18.1.254");
            RouterTest.defaultRoute(b, "198.18.2.254");
            r.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
            a.syscalls().sysctlWrite("net.inet.ip.mtudisc", Integer.toString(mtudisc));

            // what b receives, judged as the wire frames it stands for (a capture on the router's side
            // would make the router cut segments in software and hide how it forwards them whole)
            AtomicInteger largest = new AtomicInteger();
            bIf.addTap((ifp, m, outbound) -> {
                if (!outbound) {
                    largest.accumulateAndGet(wireFrameLength(m), Math::max);
                }
            });
            TcpSegmentationOffloadTest.transfer(a, b, "198.18.2.1");
            assertTrue(largest.get() <= 1280 + 14, "largest frame on the 1280-byte link: " + largest.get());

            long decreases = inet(a).tcp().stats().get("path MTU decreases");
            long fragments = inet(r).ipStats().get("fragments created");
            long refused = inet(r).ipStats().get("datagrams that can't be fragmented");
            if (mtudisc == 1) {
                assertEquals(1, decreases, "a learned the path MTU once");
                assertTrue(refused >= 1, "the router refused DF segments: " + refused);
                assertEquals(0, fragments, "the router fragmented nothing");
            } else {
                assertEquals(0, decreases);
                assertEquals(0, refused);
                // every full 1448-byte segment becomes two fragments for the 1280-byte link
                assertTrue(fragments > 2 * (TcpSegmentationOffloadTest.SIZE / 1448) * 9 / 10,
                        "the router fragmented full segments into " + fragments + " fragments");
            }
        }
    }

    /** A frame's length, or for a TCP packet that crossed the hub whole the length of its segments. */
    private static int wireFrameLength(Mbuf m) {
        int len = m.pkthdr().len();
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) == 0) {
            return len;
        }
        byte[] f = MbufCopy.toBytes(m);
        int ihl = (f[14] & 0x0f) * 4;
        int thl = ((f[14 + ihl + 12] & 0xff) >>> 4) * 4;
        return Math.min(len, 14 + ihl + thl + m.pkthdr().csumData());
    }
}
