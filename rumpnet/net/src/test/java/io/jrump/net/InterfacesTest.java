package io.jrump.net;

import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.assertErrno;
import static io.jrump.net.NetTestSupport.ifs;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.rumpnet.socket.IfIoctlHook;
import io.jrump.wire.Ipv4Address;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet_net")
class InterfacesTest {
    private static final Cred USER = new Cred(1000, 1000, new int[0]);

    /** Makes tstN on a recording driver and remembers what was destroyed. */
    static final class TestCloner implements IfCloner {
        final List<String> destroyed = new ArrayList<>();
        final RecordingDriver driver = new RecordingDriver();

        @Override
        public String prefix() {
            return "tst";
        }

        @Override
        public Ifnet create(Interfaces ifs, int unit) throws ErrnoException {
            return ifs.attach("tst" + unit, Ifnet.IFT_ETHER, 1500, 0x02_00_00_00_10_00L + unit,
                    Ifnet.IFF_BROADCAST, driver);
        }

        @Override
        public void destroyed(Ifnet ifp) {
            destroyed.add(ifp.name());
        }
    }

    private static IfReq req(String name) {
        return new IfReq(name);
    }

    @Test
    void lo0IsThereAtBootUpAndLoopback(Kernel k) {
        Interfaces ifs = ifs(k);
        Ifnet lo = ifs.find("lo0");
        assertNotNull(lo);
        assertEquals(1, lo.index());
        assertSame(lo, ifs.byIndex(1));
        assertEquals(Ifnet.IFT_LOOP, lo.type());
        assertTrue(lo.isUp());
        assertTrue((lo.flags() & Ifnet.IFF_LOOPBACK) != 0);
        assertTrue((lo.flags() & Ifnet.IFF_RUNNING) != 0);
        assertEquals(Ifnet.LINK_STATE_UP, lo.linkState());
        assertEquals(33184, lo.mtu());
        assertEquals(List.of(lo), ifs.list());
    }

    @Test
    void attachGivesIncreasingIndexesAndRefusesADuplicateName(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        RecordingDriver d = new RecordingDriver();
        Ifnet a = ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST | Ifnet.IFF_UP, d);
        Ifnet b = ifs.attach("eth1", Ifnet.IFT_ETHER, 1500, MAC_B, Ifnet.IFF_BROADCAST, d);
        assertEquals(2, a.index());
        assertEquals(3, b.index());
        assertFalse(a.isUp(), "a new interface starts down even if asked for IFF_UP");
        assertEquals(MAC_A, a.lladdr());
        assertEquals(1500, a.buflen());
        assertSame(b, ifs.byIndex(3));
        assertNull(ifs.byIndex(4));
        assertNull(ifs.find("eth2"));
        assertEquals(List.of("lo0", "eth0", "eth1"), ifs.list().stream().map(Ifnet::name).toList());

        assertErrno(Errno.EEXIST, () -> ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_B, 0, d));
        assertErrno(Errno.EEXIST, () -> ifs.attach("lo0", Ifnet.IFT_LOOP, 1500, 0, 0, d));
        assertEquals(3, ifs.list().size());
        // the refused attach used no index
        assertEquals(4, ifs.attach("eth2", Ifnet.IFT_ETHER, 1500, MAC_B, 0, d).index());
    }

    @Test
    void createOfAnUnknownTypeNamesTheMissingType(Kernel k) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> ifs(k).create("nosuch0"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
        assertNull(ifs(k).find("nosuch0"));
    }

    @Test
    void createRejectsNamesThatAreNotTypePlusUnit(Kernel k) {
        ifs(k).registerCloner(new TestCloner());
        assertErrno(Errno.EINVAL, () -> ifs(k).create("tst"));
        assertErrno(Errno.EINVAL, () -> ifs(k).create("0"));
        assertErrno(Errno.EINVAL, () -> ifs(k).create("tst1234567"));
        assertEquals(List.of("lo0"), ifs(k).list().stream().map(Ifnet::name).toList());
    }

    @Test
    void clonerCreatesAndDestroysInterfaces(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        TestCloner c = new TestCloner();
        ifs.registerCloner(c);
        assertEquals(List.of("tst"), ifs.clonerNames());
        assertThrows(IllegalStateException.class, () -> ifs.registerCloner(new TestCloner()));

        Ifnet t0 = ifs.create("tst0");
        assertEquals("tst0", t0.name());
        assertSame(t0, ifs.find("tst0"));
        assertEquals(2, t0.index());
        Ifnet t7 = ifs.create("tst7");
        assertEquals(3, t7.index());

        assertErrno(Errno.EEXIST, () -> ifs.create("tst0"));

        ifs.destroy("tst0");
        assertNull(ifs.find("tst0"));
        assertTrue(t0.detached());
        assertEquals(List.of("tst0"), c.destroyed);
        assertEquals(1, c.driver.stops.get());

        // the name is free again; the index is not reused
        Ifnet again = ifs.create("tst0");
        assertEquals(4, again.index());

        ErrnoException unknownType = assertThrows(ErrnoException.class, () -> ifs.create("nosuch0"));
        assertEquals(Errno.EINVAL, unknownType.errno());
        assertTrue(unknownType.getMessage().contains("nosuch"), unknownType.getMessage());
        assertTrue(unknownType.getMessage().contains("tst"), "lists the types there are: " + unknownType.getMessage());
    }

    @Test
    void destroyRefusesUnknownAndNonClonedInterfaces(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        ifs.registerCloner(new TestCloner());
        assertErrno(Errno.ENXIO, () -> ifs.destroy("tst3"));
        assertErrno(Errno.ENXIO, () -> ifs.destroy("nosuch0"));
        assertErrno(Errno.EINVAL, () -> ifs.destroy("lo0"));
        assertNotNull(ifs.find("lo0"));
        assertTrue(ifs.find("lo0").isUp());
    }

    @Test
    void createAndDestroyThroughIoctlNeedRoot(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        TestCloner c = new TestCloner();
        ifs.registerCloner(c);
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCIFCREATE, req("tst1"), USER));
        assertNull(ifs.find("tst1"));
        ifs.ioctl(IfIoctl.SIOCIFCREATE, req("tst1"), Cred.ROOT);
        assertNotNull(ifs.find("tst1"));
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCIFDESTROY, req("tst1"), USER));
        assertNotNull(ifs.find("tst1"));
        ifs.ioctl(IfIoctl.SIOCIFDESTROY, req("tst1"), Cred.ROOT);
        assertNull(ifs.find("tst1"));
        assertEquals(List.of("tst1"), c.destroyed);
    }

    @Test
    void setFlagsKeepsTheBitsAUserCannotChangeAndRunningFollowsUp(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX, new RecordingDriver());
        IfReq r = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, r, Cred.ROOT);
        assertEquals(Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX, r.flags);

        // ifconfig eth0 up, with an attempt to claim loopback and point-to-point
        r.flags = Ifnet.IFF_UP | Ifnet.IFF_DEBUG | Ifnet.IFF_LOOPBACK | Ifnet.IFF_POINTOPOINT;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        IfReq g = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, g, Cred.ROOT);
        assertEquals(Ifnet.IFF_UP | Ifnet.IFF_RUNNING | Ifnet.IFF_DEBUG | Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX,
                g.flags);

        // ifconfig eth0 down, with an attempt to clear broadcast and keep running
        r.flags = Ifnet.IFF_RUNNING;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, g, Cred.ROOT);
        assertEquals(Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX, g.flags);
        assertFalse(ifs.find("eth0").isUp());
    }

    @Test
    void lo0KeepsLoopbackWhenAUserClearsItsFlags(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        IfReq r = req("lo0");
        r.flags = 0;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        Ifnet lo = ifs.find("lo0");
        assertFalse(lo.isUp());
        assertEquals(Ifnet.IFF_LOOPBACK | Ifnet.IFF_MULTICAST, lo.flags());
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        assertEquals(Ifnet.IFF_LOOPBACK | Ifnet.IFF_MULTICAST | Ifnet.IFF_UP | Ifnet.IFF_RUNNING, lo.flags());
    }

    @Test
    void flagChangesNotifyListenersOnlyWhenSomethingChanged(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        Ifnet eth0 = ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST, new RecordingDriver());
        List<String> changes = new ArrayList<>();
        ifs.onChange(i -> changes.add(i.name() + (i.isUp() ? " up" : " down")));
        eth0.setFlags(Ifnet.IFF_UP);
        eth0.setFlags(Ifnet.IFF_UP);
        eth0.setFlags(0);
        assertEquals(List.of("eth0 up", "eth0 down"), changes);
    }

    @Test
    void mtuHasBoundsAndBuflenFollowsIt(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        Ifnet eth0 = ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST, new RecordingDriver());
        IfReq r = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFMTU, r, Cred.ROOT);
        assertEquals(1500, r.mtu);

        for (int bad : new int[] {67, 0, -1, 65536}) {
            r.mtu = bad;
            assertErrno(Errno.EINVAL, () -> ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT));
            assertEquals(1500, eth0.mtu());
            assertEquals(1500, eth0.buflen());
        }
        r.mtu = 68;
        ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT);
        assertEquals(68, eth0.mtu());
        assertEquals(68, eth0.buflen());
        r.mtu = 65535;
        ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT);
        IfReq g = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFMTU, g, Cred.ROOT);
        assertEquals(65535, g.mtu);
        assertEquals(65535, eth0.buflen());

        // a driver that segments itself sets buflen apart; then the MTU no longer moves it
        eth0.setBuflen(16384);
        r.mtu = 9000;
        ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT);
        assertEquals(9000, eth0.mtu());
        assertEquals(16384, eth0.buflen());
    }

    @Test
    void aNonRootUserMayReadButNotSet(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        eth0.setLinkstr("bus0");
        IfReq r = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, r, USER);
        assertEquals(eth0.flags(), r.flags);
        ifs.ioctl(IfIoctl.SIOCGIFMTU, r, USER);
        assertEquals(1500, r.mtu);
        ifs.ioctl(IfIoctl.SIOCGLINKSTR, r, USER);
        assertEquals("bus0", r.linkstr);

        IfReq down = req("eth0");
        down.flags = 0;
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCSIFFLAGS, down, USER));
        assertTrue(eth0.isUp());
        IfReq mtu = req("eth0");
        mtu.mtu = 9000;
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCSIFMTU, mtu, USER));
        assertEquals(1500, eth0.mtu());
        IfReq ls = req("eth0");
        ls.linkstr = "bus1";
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCSLINKSTR, ls, USER));
        assertEquals("bus0", eth0.linkstr());
    }

    @Test
    void unknownInterfaceIsEnxioAndUnknownCommandIsEnotty(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        assertErrno(Errno.ENXIO, () -> ifs.ioctl(IfIoctl.SIOCGIFFLAGS, req("eth9"), Cred.ROOT));
        assertErrno(Errno.ENXIO, () -> ifs.ioctl(IfIoctl.SIOCGIFFLAGS, req("eth9"), USER));
        assertErrno(Errno.ENXIO, () -> ifs.ioctl(IfIoctl.SIOCSIFMTU, req("eth9"), Cred.ROOT));
        long bogus = 0xc0206999L;
        assertFalse(ifs.handles(bogus));
        assertErrno(Errno.ENOTTY, () -> ifs.ioctl(bogus, req("lo0"), Cred.ROOT));
        // SIOCAIFADDR belongs to a family; with no family loaded nobody handles it
        assertFalse(ifs.handles(IfIoctl.SIOCAIFADDR));
        assertErrno(Errno.ENOTTY, () -> ifs.ioctl(IfIoctl.SIOCAIFADDR, req("lo0"), Cred.ROOT));
        // a driver without controls answers SIOCSLINKSTR with ENOTTY
        upEther(k, "eth0", MAC_A, new RecordingDriver());
        assertErrno(Errno.ENOTTY, () -> ifs.ioctl(IfIoctl.SIOCSLINKSTR, req("eth0"), Cred.ROOT));
        assertErrno(Errno.EFAULT, () -> ifs.ioctl(IfIoctl.SIOCGIFFLAGS, new IfReq(), Cred.ROOT));
    }

    @Test
    void familyIoctlsAreDispatchedWithTheInterfaceAndCred(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        List<String> calls = new ArrayList<>();
        ifs.registerIoctl(IfIoctl.SIOCAIFADDR, (ifp, cmd, r, cred) ->
                calls.add(ifp.name() + " " + Ipv4Address.format(r.addr) + " " + cred.uid()));
        assertTrue(ifs.handles(IfIoctl.SIOCAIFADDR));
        IfReq r = req("lo0");
        r.addr = Ipv4Address.parse("127.0.0.1");
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCAIFADDR, r, USER));
        assertEquals(List.of("lo0 127.0.0.1 0"), calls);
        ifs.unregisterIoctl(IfIoctl.SIOCAIFADDR);
        assertFalse(ifs.handles(IfIoctl.SIOCAIFADDR));
    }

    @Test
    void theSocketLayerHookReachesTheInterfaceIoctls(Kernel k) throws Exception {
        IfIoctlHook hook = k.service(IfIoctlHook.class);
        assertNotNull(hook);
        assertTrue(hook.handles(IfIoctl.SIOCGIFFLAGS));
        assertTrue(hook.handles(IfIoctl.SIOCIFCREATE));
        IfReq r = req("lo0");
        hook.ioctl(IfIoctl.SIOCGIFMTU, r, Cred.ROOT);
        assertEquals(33184, r.mtu);
        assertErrno(Errno.EFAULT, () -> hook.ioctl(IfIoctl.SIOCGIFMTU, "lo0", Cred.ROOT));
    }

    @Test
    void detachTakesTheInterfaceWithItsRoutesAndTellsListeners(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        RecordingDriver d0 = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d0);
        Ifnet eth1 = upEther(k, "eth1", MAC_B, new RecordingDriver());
        RouteTable rt = ifs.routes();
        rt.add(new Route(Ipv4Address.parse("10.1.0.0"), 16, 0, eth0, Route.RTF_UP, 0));
        rt.add(new Route(0, 0, Ipv4Address.parse("10.1.0.1"), eth0, Route.RTF_UP | Route.RTF_GATEWAY, 0));
        Route keep = new Route(Ipv4Address.parse("10.2.0.0"), 16, 0, eth1, Route.RTF_UP, 0);
        rt.add(keep);
        List<String> detached = new ArrayList<>();
        ifs.onDetach(i -> detached.add(i.name() + (i.isUp() ? " up" : " down")));

        ifs.detach(eth0);

        assertEquals(List.of("eth0 down"), detached);
        assertEquals(List.of(keep), rt.routes());
        assertNull(ifs.find("eth0"));
        assertTrue(eth0.detached());
        assertEquals(1, d0.stops.get());
        assertErrno(Errno.ENXIO, () -> ifs.ioctl(IfIoctl.SIOCGIFFLAGS, req("eth0"), Cred.ROOT));
        // a second detach is a no-op
        ifs.detach(eth0);
        assertEquals(1, detached.size());
        assertEquals(1, d0.stops.get());
        // and the name can be attached again, with a new index
        assertEquals(4, ifs.attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, 0, d0).index());
    }

    /**
     * DART's if_buflen (seed 002) through SIOCSIFBUFLEN and SIOCGIFBUFLEN: above the MTU only on an interface
     * whose adapter segments; shown in net.link.offload; only root sets it.
     */
    @Test
    void buflenIsSetAndReadByIoctl(Kernel k) throws Exception {
        Interfaces ifs = ifs(k);
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        IfReq r = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFBUFLEN, r, USER);
        assertEquals(1500, r.buflen);
        r.buflen = 65536;
        assertErrno(Errno.EINVAL, () -> ifs.ioctl(IfIoctl.SIOCSIFBUFLEN, r, Cred.ROOT));
        eth0.setCsumFlagsTx(io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TSOv4);
        assertErrno(Errno.EPERM, () -> ifs.ioctl(IfIoctl.SIOCSIFBUFLEN, r, USER));
        ifs.ioctl(IfIoctl.SIOCSIFBUFLEN, r, Cred.ROOT);
        assertEquals(65536, eth0.buflen());
        r.buflen = 65537;
        assertErrno(Errno.EINVAL, () -> ifs.ioctl(IfIoctl.SIOCSIFBUFLEN, r, Cred.ROOT));
        IfReq g = req("eth0");
        ifs.ioctl(IfIoctl.SIOCGIFBUFLEN, g, USER);
        assertEquals(65536, g.buflen);
        assertTrue(k.syscalls().sysctlRead("net.link.offload").contains("eth0 1500 65536 100 0 0 0 0 0"),
                k.syscalls().sysctlRead("net.link.offload"));
    }
}
