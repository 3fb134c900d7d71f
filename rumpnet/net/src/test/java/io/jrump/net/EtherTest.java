package io.jrump.net;

import static io.jrump.net.NetTestSupport.BROADCAST;
import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.MAC_C;
import static io.jrump.net.NetTestSupport.TYPE_OTHER;
import static io.jrump.net.NetTestSupport.TYPE_TEST;
import static io.jrump.net.NetTestSupport.assertErrno;
import static io.jrump.net.NetTestSupport.frame;
import static io.jrump.net.NetTestSupport.ifs;
import static io.jrump.net.NetTestSupport.mbuf;
import static io.jrump.net.NetTestSupport.payload;
import static io.jrump.net.NetTestSupport.pool;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.net.NetTestSupport.Received;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.net.NetTestSupport.RecordingHandler;
import io.jrump.net.NetTestSupport.RecordingTap;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.testkit.RumpKernel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet_net")
class EtherTest {
    private static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    @Test
    void aFrameForAnotherStationIsDroppedAndCounted(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        Ether ether = ifs(k).ether();
        ether.register(TYPE_TEST, h);
        long before = ether.notForUs();
        eth0.input(mbuf(k, frame(MAC_C, MAC_B, TYPE_TEST, 46)));
        k.softints().drain();
        assertTrue(h.received().isEmpty());
        assertEquals(before + 1, ether.notForUs());
        assertEquals(0, eth0.stats().noproto());
        assertEquals(0, eth0.stats().ierrors());
    }

    @Test
    void promiscuousModeAcceptsFramesForOtherStations(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.setFlags(eth0.flags() | Ifnet.IFF_PROMISC);
        byte[] f = frame(MAC_C, MAC_B, TYPE_TEST, 46);
        eth0.input(mbuf(k, f));
        k.softints().drain();
        assertEquals(1, h.received().size());
        assertArrayEquals(body(f), h.received().get(0).bytes());
        assertFalse(h.received().get(0).linkBroadcast());
    }

    @Test
    void aUnicastFrameForUsReachesItsProtocolWithoutTheHeader(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler ours = new RecordingHandler();
        RecordingHandler other = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, ours);
        ifs(k).ether().register(TYPE_OTHER, other);
        byte[] f = frame(MAC_A, MAC_B, TYPE_TEST, 300);
        eth0.input(mbuf(k, f));
        k.softints().drain();
        assertTrue(other.received().isEmpty());
        Received r = ours.received().get(0);
        assertArrayEquals(body(f), r.bytes());
        assertEquals(300, r.pktLen());
        assertFalse(r.linkBroadcast());
        assertEquals(0, r.mflags() & (MbufFlags.M_BCAST | MbufFlags.M_MCAST));
        assertEquals(eth0.index(), r.rcvif());
    }

    @Test
    void aBroadcastFrameReachesTheHandlerForItsEthertype(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler ours = new RecordingHandler();
        RecordingHandler other = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, ours);
        ifs(k).ether().register(TYPE_OTHER, other);
        byte[] f = frame(BROADCAST, MAC_B, TYPE_OTHER, 46);
        eth0.input(mbuf(k, f));
        k.softints().drain();
        assertTrue(ours.received().isEmpty());
        assertEquals(1, other.received().size());
        Received r = other.received().get(0);
        assertArrayEquals(body(f), r.bytes());
        assertEquals(46, r.pktLen());
        assertTrue(r.linkBroadcast());
        assertTrue((r.mflags() & MbufFlags.M_BCAST) != 0);
        assertEquals(eth0, r.ifp());
    }

    @Test
    void aMulticastFrameIsMarkedButNotBroadcast(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.input(mbuf(k, frame(0x01_00_5e_00_00_01L, MAC_B, TYPE_TEST, 46)));
        k.softints().drain();
        Received r = h.received().get(0);
        assertFalse(r.linkBroadcast());
        assertTrue((r.mflags() & MbufFlags.M_MCAST) != 0);
    }

    @Test
    void reRegisteringAnEthertypeReplacesItsHandlerAndUnregisterRemovesIt(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler first = new RecordingHandler();
        RecordingHandler second = new RecordingHandler();
        Ether ether = ifs(k).ether();
        ether.register(TYPE_TEST, first);
        ether.register(TYPE_TEST, second);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, TYPE_TEST, 46)));
        k.softints().drain();
        assertTrue(first.received().isEmpty());
        assertEquals(1, second.received().size());
        ether.unregister(TYPE_TEST);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, TYPE_TEST, 46)));
        k.softints().drain();
        assertEquals(1, second.received().size());
        assertEquals(1, eth0.stats().noproto());
    }

    @Test
    void aFullEthertypeTableIsRefused(Kernel k) {
        Ether ether = ifs(k).ether();
        RecordingHandler h = new RecordingHandler();
        for (int i = 0; i < 8; i++) {
            ether.register(0x9000 + i, h);
        }
        assertThrows(IllegalStateException.class, () -> ether.register(0x9100, h));
        ether.unregister(0x9003);
        ether.register(0x9100, h);
    }

    @Test
    void anUnknownEthertypeOrAnLlcFrameCountsNoproto(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, 0x88B7, 46)));
        eth0.input(mbuf(k, frame(BROADCAST, MAC_B, 0x9999, 46)));
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, 46, 46))); // 802.3 length field
        k.softints().drain();
        assertTrue(h.received().isEmpty());
        IfStats s = eth0.stats();
        assertEquals(3, s.noproto());
        assertEquals(3, s.ipackets());
        assertEquals(0, s.ierrors());
    }

    @Test
    void aRuntFrameCountsAnInputError(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        long bad = ifs(k).ether().badFrames();
        byte[] f = frame(MAC_A, MAC_B, TYPE_TEST, 0);
        eth0.input(MbufCopy.fromBytes(eth0.mbufs(), f, 0, 13));
        eth0.input(MbufCopy.fromBytes(eth0.mbufs(), f, 0, 0));
        k.softints().drain();
        assertTrue(h.received().isEmpty());
        assertEquals(2, eth0.stats().ierrors());
        assertEquals(bad + 2, ifs(k).ether().badFrames());
        // exactly a header is not a runt: an empty payload reaches the protocol
        eth0.input(MbufCopy.fromBytes(eth0.mbufs(), f, 0, 14));
        k.softints().drain();
        assertEquals(1, h.received().size());
        assertEquals(0, h.received().get(0).bytes().length);
        assertEquals(2, eth0.stats().ierrors());
    }

    @Test
    void outputPrependsTheEthernetHeader(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        byte[] p = payload(100);
        ifs(k).ether().output(eth0, mbuf(k, p), MAC_B, 0x0800);
        byte[] f = d.frames().get(0);
        assertEquals(114, f.length);
        assertArrayEquals(new byte[] {0x02, 0, 0, 0, 0, 0x0b}, Arrays.copyOfRange(f, 0, 6));
        assertArrayEquals(new byte[] {0x02, 0, 0, 0, 0, 0x0a}, Arrays.copyOfRange(f, 6, 12));
        assertArrayEquals(new byte[] {0x08, 0x00}, Arrays.copyOfRange(f, 12, 14));
        assertArrayEquals(p, Arrays.copyOfRange(f, 14, 114));
        assertEquals(114, eth0.stats().obytes());
    }

    @Test
    void outputPrependsAHeaderEvenWithoutLeadingSpace(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        io.jrump.rumpnet.mbuf.Mbuf m = pool(k).getPacketHeader();
        m.reserve(0);
        byte[] p = payload(60);
        assertTrue(io.jrump.rumpnet.mbuf.MbufCopy.append(m, p, 0, p.length));
        assertEquals(0, m.leadingSpace());
        ifs(k).ether().output(eth0, m, BROADCAST, 0x0806);
        byte[] f = d.frames().get(0);
        assertEquals(74, f.length);
        assertArrayEquals(frame(BROADCAST, MAC_A, 0x0806, 60), f);
    }

    @Test
    void outputOnADownInterfaceIsEnetdownAndLeaksNothing(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = ifs(k).attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST, d);
        long before = pool(k).stats().mbufsInUse();
        assertErrno(Errno.ENETDOWN, () -> ifs(k).ether().output(eth0, mbuf(k, payload(100)), MAC_B, 0x0800));
        assertEquals(before, pool(k).stats().mbufsInUse());
        assertTrue(d.frames().isEmpty());
    }

    @Test
    void lo0DeliversWhatIsSentOnItBackToTheProtocol(Kernel k) throws Exception {
        Ifnet lo = ifs(k).find("lo0");
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        RecordingTap tap = new RecordingTap();
        lo.addTap(tap);
        byte[] p = payload(1000);
        ifs(k).ether().output(lo, mbuf(k, p), 0, TYPE_TEST);
        k.softints().drain();

        List<Received> got = h.received();
        assertEquals(1, got.size());
        assertArrayEquals(p, got.get(0).bytes());
        assertEquals(lo.index(), got.get(0).rcvif());
        assertFalse(got.get(0).linkBroadcast());
        assertTrue((got.get(0).mflags() & MbufFlags.M_LOOP) != 0);
        IfStats s = lo.stats();
        assertEquals(1, s.opackets());
        assertEquals(1, s.ipackets());
        assertEquals(1014, s.obytes());
        assertEquals(1014, s.ibytes());
        // the capture reads like any Ethernet: a zero-address header in front
        byte[] seen = tap.seen().get(0).bytes();
        assertArrayEquals(frame(0, 0, TYPE_TEST, 1000), seen);
    }

    @Test
    void lo0AcceptsAnyDestinationAddress(Kernel k) throws Exception {
        Ifnet lo = ifs(k).find("lo0");
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        ifs(k).ether().output(lo, mbuf(k, payload(10)), MAC_C, TYPE_TEST);
        k.softints().drain();
        assertEquals(1, h.received().size());
    }
}
