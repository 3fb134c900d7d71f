package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperError;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.testkit.NetNs;
import io.jrump.testkit.RumpKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code virtN} on Linux taps: what {@code ifconfig} and the host see when interfaces are created,
 * relinked and destroyed, and the errors a user gets when the tap cannot be had. The frames
 * themselves are exchanged with Linux in systest's interop tests.
 */
@RumpKernel(components = "rumpnet_virtif")
class VirtifTest {
    private static void assumeTap() {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: /dev/net/tun does not exist");
        Assumptions.assumeTrue(NetNs.unavailableReason() == null
                || !NetNs.unavailableReason().contains("root"), "skipped: taps need root");
    }

    /** A unit whose default tap name no other test or process on this host is likely to use. */
    private static int unit() {
        return 100_000 + new SecureRandom().nextInt(900_000);
    }

    private static boolean hostHas(String ifname) {
        return Files.exists(Path.of("/sys/class/net", ifname));
    }

    private static void linkstr(Interfaces ifs, String ifname, String ls) throws ErrnoException {
        IfReq r = new IfReq(ifname);
        r.linkstr = ls;
        ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
    }

    private static String linkstrOf(Interfaces ifs, String ifname) throws ErrnoException {
        IfReq r = new IfReq(ifname);
        ifs.ioctl(IfIoctl.SIOCGLINKSTR, r, Cred.ROOT);
        return r.linkstr;
    }

    @Test
    void createOpensTapNWithItsMtuAndDestroyRemovesIt(Kernel k) throws Exception {
        assumeTap();
        Interfaces ifs = k.service(Interfaces.class);
        int u = unit();
        Ifnet ifp = ifs.create("virt" + u);
        String tap = "tap" + u;
        assertTrue(hostHas(tap), "the host has " + tap);
        assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/class/net", tap, "mtu")).trim()), ifp.mtu());
        assertEquals(tap, linkstrOf(ifs, "virt" + u));
        assertEquals(Ifnet.IFT_ETHER, ifp.type());
        assertEquals(0xb20a, ifp.lladdr() >>> 32, "NetBSD virtif's locally administered prefix b2:0a");
        assertEquals(Ifnet.LINK_STATE_UP, ifp.linkState());
        ifs.destroy("virt" + u);
        assertNull(ifs.find("virt" + u));
        assertFalse(hostHas(tap), "closing the tap removed it from the host");
    }

    @Test
    void twoInterfacesGetDifferentMacs(Kernel k) throws Exception {
        assumeTap();
        Interfaces ifs = k.service(Interfaces.class);
        int u = unit();
        Ifnet a = ifs.create("virt" + u);
        Ifnet b = ifs.create("virt" + (u + 1));
        assertTrue(a.lladdr() != b.lladdr());
    }

    @Test
    void haltClosesTheTapAndStopsItsReceiver() throws Exception {
        assumeTap();
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("h").component("rumpnet_virtif")
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).build());
        int u = unit();
        k.service(Interfaces.class).create("virt" + u);
        assertTrue(hostHas("tap" + u));
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertFalse(hostHas("tap" + u));
    }

    @Test
    void aBusyTapFailsCreateWithTheReasonAndTheKernelRunsOn(Kernel k) throws Exception {
        assumeTap();
        int u = unit();
        k.service(Interfaces.class).create("virt" + u);
        Kernel other = Kernel.boot(KernelConfig.builder().hostname("other").component("rumpnet_virtif")
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).build());
        try {
            Interfaces ifs = other.service(Interfaces.class);
            ErrnoException e = assertThrows(ErrnoException.class, () -> ifs.create("virt" + u));
            assertEquals(Errno.EBUSY, e.errno());
            assertTrue(e.getMessage().contains("tap" + u + " is in use"), e.getMessage());
            assertNull(ifs.find("virt" + u), "no interface was left behind");
            assertNotNull(ifs.create("virt" + (u + 1)), "the kernel runs on and can open another tap");
        } finally {
            HaltReport r = other.halt();
            assertTrue(r.clean(), r.toString());
        }
    }

    @Test
    void aMissingTunDeviceIsNamedInTheError() {
        HyperError e = assertThrows(HyperError.class, () -> VirtifUser.open("/nonexistent/net/tun", "tap0"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/nonexistent/net/tun does not exist"), e.getMessage());
    }

    @Test
    void badLinkstrsAreRefusedAndTheInterfaceKeepsItsTap(Kernel k) throws Exception {
        assumeTap();
        Interfaces ifs = k.service(Interfaces.class);
        int u = unit();
        String ifname = "virt" + u;
        ifs.create(ifname);
        for (String bad : new String[] {"", "a/b", "sixteen-chars-xx", "tap 1", "tap1,loss=5", "tap1,bogus=1"}) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> linkstr(ifs, ifname, bad), bad);
            assertEquals(Errno.EINVAL, e.errno(), bad);
        }
        ErrnoException e = assertThrows(ErrnoException.class, () -> linkstr(ifs, ifname, "lo"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("lo exists and is not a tap device"), e.getMessage());
        assertEquals("tap" + u, linkstrOf(ifs, ifname));
        assertTrue(hostHas("tap" + u));
    }

    @Test
    void linkstrMovesToAnotherTapAndChangingTheEmulatorKeepsIt(Kernel k) throws Exception {
        assumeTap();
        Interfaces ifs = k.service(Interfaces.class);
        int u = unit();
        String ifname = "virt" + u;
        Ifnet ifp = ifs.create(ifname);
        String other = NetNs.tapName("jrv");
        linkstr(ifs, ifname, other + ",loss=5%,delay=5ms,seed=3");
        assertFalse(hostHas("tap" + u), "the old tap was closed");
        assertTrue(hostHas(other));
        assertEquals(other + ",delay=5ms,loss=5%,seed=3", linkstrOf(ifs, ifname));
        VirtifDriver d = (VirtifDriver) ifp.driver();
        assertNotNull(d.emulator());
        String ifindex = Files.readString(Path.of("/sys/class/net", other, "ifindex"));
        linkstr(ifs, ifname, "none");
        assertNull(d.emulator());
        assertEquals(other, linkstrOf(ifs, ifname));
        assertEquals(ifindex, Files.readString(Path.of("/sys/class/net", other, "ifindex")),
                "the same host tap, not a new one");
        linkstr(ifs, ifname, "in.loss=1%,seed=9");
        assertEquals(other + ",in.loss=1%,seed=9", linkstrOf(ifs, ifname));
    }

    @Test
    void tso4IsOnByDefaultAndTheLinkstrTurnsItOffAndOnAndTheEmulatorCutsWhatItTakes(Kernel k) throws Exception {
        assumeTap();
        Interfaces ifs = k.service(Interfaces.class);
        int u = unit();
        String ifname = "virt" + u;
        Ifnet ifp = ifs.create(ifname);
        int both = CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4;
        assertEquals(both, ifp.csumFlagsTx(), "IP may leave checksums and segmentation to the tap");
        assertEquals(Ifnet.MAX_BUFLEN, ifp.buflen(), "TCP builds 64 KB packets for it");
        assertEquals("tap" + u, linkstrOf(ifs, ifname));
        linkstr(ifs, ifname, "-tso4");
        assertEquals(0, ifp.csumFlagsTx());
        assertEquals(ifp.mtu(), ifp.buflen(), "segments of the MTU without offload");
        assertEquals("tap" + u + ",-tso4", linkstrOf(ifs, ifname), "the tap stays, the linkstr shows the flag");
        linkstr(ifs, ifname, "loss=1%,seed=2");
        assertEquals("tap" + u + ",loss=1%,seed=2,-tso4", linkstrOf(ifs, ifname), "the flag outlives a new emulator");
        linkstr(ifs, ifname, "tso4");
        assertEquals(CsumFlags.M_CSUM_TSOv4, ifp.csumFlagsTx(),
                "the emulator takes large packets and cuts them, and finishes every checksum before it can damage a frame");
        assertEquals(Ifnet.MAX_BUFLEN, ifp.buflen());
        assertEquals("tap" + u + ",loss=1%,seed=2", linkstrOf(ifs, ifname));
        assertNotNull(((VirtifDriver) ifp.driver()).emulator(), "only the flag changed");
        linkstr(ifs, ifname, "none");
        assertEquals(both, ifp.csumFlagsTx(), "the emulator gone, the flag applies again");
        ErrnoException e = assertThrows(ErrnoException.class, () -> linkstr(ifs, ifname, "tso4,-tso4"));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void theMtuFollowsAPersistentTapsMtu(Kernel k) throws Exception {
        assumeTap();
        Assumptions.assumeTrue(NetNs.unavailableReason() == null, () -> "skipped: " + NetNs.unavailableReason());
        String tap = NetNs.tapName("jrm");
        run("ip", "tuntap", "add", "mode", "tap", "name", tap);
        try {
            run("ip", "link", "set", tap, "mtu", "9000");
            Interfaces ifs = k.service(Interfaces.class);
            int u = unit();
            Ifnet ifp = ifs.create("virt" + u);
            linkstr(ifs, "virt" + u, tap);
            assertEquals(9000, ifp.mtu());
            assertEquals(Ifnet.MAX_BUFLEN, ifp.buflen(), "offload on: the tap takes 64 KB packets");
            linkstr(ifs, "virt" + u, "-tso4");
            assertEquals(9000, ifp.buflen(), "offload off: if_buflen follows the MTU");
            ifs.destroy("virt" + u);
            assertTrue(hostHas(tap), "a persistent tap stays when the interface goes");
        } finally {
            run("ip", "tuntap", "del", "mode", "tap", "name", tap);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
