package io.jrump.net;

import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.assertErrno;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.wire.Ipv4Address;
import io.jrump.testkit.RumpKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet_net")
class RouteTableTest {
    private static int ip(String s) {
        return Ipv4Address.parse(s);
    }

    private static Route net(String dst, int len, Ifnet ifp) {
        return new Route(ip(dst), len, 0, ifp, Route.RTF_UP | Route.RTF_CONNECTED, 0);
    }

    private static Route via(String dst, int len, String gw, Ifnet ifp) {
        int host = len == 32 ? Route.RTF_HOST : 0;
        return new Route(ip(dst), len, ip(gw), ifp, Route.RTF_UP | Route.RTF_GATEWAY | Route.RTF_STATIC | host, 0);
    }

    @Test
    void lookupPicksTheLongestMatchingPrefix(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        Route def = via("0.0.0.0", 0, "10.0.0.1", eth0);
        Route sixteen = net("10.1.0.0", 16, eth0);
        Route twentyFour = net("10.1.2.0", 24, eth0);
        Route host = via("10.1.2.3", 32, "10.1.0.254", eth0);
        // added in an order that is neither longest- nor shortest-first
        rt.add(twentyFour);
        rt.add(def);
        rt.add(host);
        rt.add(sixteen);

        assertSame(host, rt.lookup(ip("10.1.2.3")));
        assertSame(twentyFour, rt.lookup(ip("10.1.2.4")));
        assertSame(twentyFour, rt.lookup(ip("10.1.2.255")));
        assertSame(sixteen, rt.lookup(ip("10.1.3.3")));
        assertSame(sixteen, rt.lookup(ip("10.1.255.255")));
        assertSame(def, rt.lookup(ip("10.2.0.1")));
        assertSame(def, rt.lookup(ip("192.0.2.1")));
        assertEquals(List.of(host, twentyFour, sixteen, def), rt.routes());
    }

    @Test
    void withoutADefaultRouteAnUnmatchedAddressHasNoRoute(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        rt.add(net("10.1.0.0", 16, eth0));
        long misses = rt.misses();
        assertNull(rt.lookup(ip("10.2.0.1")));
        assertEquals(misses + 1, rt.misses());
    }

    @Test
    void routeThroughADownInterfaceIsSkipped(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        Ifnet eth1 = upEther(k, "eth1", MAC_B, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        Route specific = net("10.1.2.0", 24, eth1);
        Route wider = net("10.1.0.0", 16, eth0);
        rt.add(specific);
        rt.add(wider);
        assertSame(specific, rt.lookup(ip("10.1.2.9")));

        eth1.setFlags(eth1.flags() & ~Ifnet.IFF_UP);
        assertSame(wider, rt.lookup(ip("10.1.2.9")));

        eth0.setFlags(eth0.flags() & ~Ifnet.IFF_UP);
        assertNull(rt.lookup(ip("10.1.2.9")));

        eth1.setFlags(eth1.flags() | Ifnet.IFF_UP);
        assertSame(specific, rt.lookup(ip("10.1.2.9")));
    }

    @Test
    void addRejectsDuplicatesAndBadPrefixes(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        Ifnet eth1 = upEther(k, "eth1", MAC_B, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        rt.add(net("10.1.2.0", 24, eth0));
        // the same prefix is a duplicate even through another interface or gateway
        assertErrno(Errno.EEXIST, () -> rt.add(net("10.1.2.0", 24, eth1)));
        assertErrno(Errno.EEXIST, () -> rt.add(via("10.1.2.0", 24, "10.0.0.1", eth0)));
        // same network, other length: a different route
        rt.add(net("10.1.2.0", 25, eth1));

        assertErrno(Errno.EINVAL, () -> rt.add(net("10.1.2.1", 24, eth0)));
        assertErrno(Errno.EINVAL, () -> rt.add(net("10.0.0.1", 0, eth0)));
        assertErrno(Errno.EINVAL, () -> rt.add(net("10.1.2.0", 33, eth0)));
        assertErrno(Errno.EINVAL, () -> rt.add(net("10.1.2.0", -1, eth0)));
        assertEquals(2, rt.routes().size());
    }

    @Test
    void deleteRemovesExactlyOneRouteAndReportsAMissingOne(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        Route a = net("10.1.2.0", 24, eth0);
        Route b = net("10.1.0.0", 16, eth0);
        rt.add(a);
        rt.add(b);

        assertSame(a, rt.delete(ip("10.1.2.0"), 24));
        assertEquals(List.of(b), rt.routes());
        assertSame(b, rt.lookup(ip("10.1.2.3")));
        assertErrno(Errno.ESRCH, () -> rt.delete(ip("10.1.2.0"), 24));
        assertErrno(Errno.ESRCH, () -> rt.delete(ip("10.1.0.0"), 24));
        assertErrno(Errno.ESRCH, () -> rt.delete(0, 0));
        // a deleted route can be added again
        rt.add(a);
        assertSame(a, rt.lookup(ip("10.1.2.3")));
    }

    @Test
    void deleteInterfaceRemovesOnlyThatInterfacesRoutes(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        Ifnet eth1 = upEther(k, "eth1", MAC_B, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        Route keep = net("10.2.0.0", 16, eth1);
        rt.add(net("10.1.2.0", 24, eth0));
        rt.add(via("0.0.0.0", 0, "10.1.2.1", eth0));
        rt.add(keep);
        rt.deleteInterface(eth0);
        assertEquals(List.of(keep), rt.routes());
        assertNull(rt.lookup(ip("192.0.2.1")));
    }

    @Test
    void deleteForAddressRemovesConnectedAndLocalRoutesOfThatAddressOnly(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        Ifnet eth1 = upEther(k, "eth1", MAC_B, new RecordingDriver());
        RouteTable rt = NetTestSupport.ifs(k).routes();
        int addr = ip("10.1.2.5");
        int other = ip("10.3.0.5");
        Route connected = new Route(ip("10.1.2.0"), 24, 0, eth0, Route.RTF_UP | Route.RTF_CONNECTED, addr);
        Route local = new Route(addr, 32, 0, eth0, Route.RTF_UP | Route.RTF_HOST | Route.RTF_LOCAL, addr);
        Route staticSameAddr = new Route(ip("10.9.0.0"), 16, ip("10.1.2.1"), eth0,
                Route.RTF_UP | Route.RTF_GATEWAY | Route.RTF_STATIC, addr);
        Route otherAddr = new Route(ip("10.3.0.0"), 16, 0, eth0, Route.RTF_UP | Route.RTF_CONNECTED, other);
        Route otherIf = new Route(ip("10.4.0.0"), 16, 0, eth1, Route.RTF_UP | Route.RTF_CONNECTED, addr);
        for (Route r : List.of(connected, local, staticSameAddr, otherAddr, otherIf)) {
            rt.add(r);
        }
        rt.deleteForAddress(eth0, addr);
        assertEquals(List.of(staticSameAddr, otherAddr, otherIf), rt.routes());
    }

    @Test
    void flagsAndToStringReadLikeNetstatR(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        assertEquals(2, eth0.index());
        Route def = via("0.0.0.0", 0, "10.0.0.1", eth0);
        Route host = via("10.1.2.3", 32, "10.0.0.254", eth0);
        Route connected = net("10.1.2.0", 24, eth0);
        Route local = new Route(ip("10.1.2.5"), 32, 0, eth0,
                Route.RTF_UP | Route.RTF_HOST | Route.RTF_LOCAL, ip("10.1.2.5"));

        assertEquals("UGS", def.flagString());
        assertEquals("UGHS", host.flagString());
        assertEquals("UC", connected.flagString());
        assertEquals("UHl", local.flagString());
        assertEquals("", new Route(0, 0, 0, eth0, 0, 0).flagString());

        assertEquals("default 10.0.0.1 UGS eth0", def.toString());
        assertEquals("10.1.2.3 10.0.0.254 UGHS eth0", host.toString());
        assertEquals("10.1.2.0/24 link#2 UC eth0", connected.toString());
        assertEquals("10.1.2.5 link#2 UHl eth0", local.toString());
        assertEquals(true, def.isGateway());
        assertEquals(false, connected.isGateway());
    }
}
