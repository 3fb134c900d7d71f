package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Interfaces;
import io.jrump.netinet.Inet;
import io.jrump.testkit.NetNs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rump kernel as a router between two Linux namespaces, each on a tap of its own with offload on (the
 * default): Linux hands it TCP segments of up to 64 KB whole (GSO) with the don't-fragment bit set, and the
 * router must judge DF by the segments they stand for ({@code gso_size}) and pass them on, whole to a tap
 * that takes them, instead of refusing them as datagrams too large for the next hop. A file sent by
 * {@code socat} in one namespace arrives byte-exact in the other. Skipped without root, /dev/net/tun or ip.
 */
class TapRouterTest {
    private static final int PORT = 7790;

    private static void attach(Kernel k, String ifname, String tap, NetNs ns, String linux, String rump)
            throws Exception {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.create(ifname);
        IfReq r = new IfReq(ifname);
        r.linkstr = tap;
        ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
        ns.adoptTap(tap, linux + "/24");
        TestNet.configure(k, ifname, rump + "/24");
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void linuxTcpCrossesTheRumpRouterByteExact(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("socat");
        try (NetNs a = NetNs.create("rta"); NetNs b = NetNs.create("rtb")) {
            Kernel k = Kernel.boot(KernelConfig.builder().hostname("router").ncpu(2)
                    .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build())
                    .component("rumpnet_netinet", "rumpnet_virtif").build());
            try {
                attach(k, "virt0", NetNs.tapName("jrra"), a, "198.18.8.1", "198.18.8.2");
                attach(k, "virt1", NetNs.tapName("jrrb"), b, "198.18.9.1", "198.18.9.2");
                k.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
                a.check("ip", "route", "add", "198.18.9.0/24", "via", "198.18.8.2");
                b.check("ip", "route", "add", "198.18.8.0/24", "via", "198.18.9.2");

                byte[] data = new byte[20 << 20];
                new SplittableRandom(21).nextBytes(data);
                Path in = dir.resolve("in");
                Path out = dir.resolve("out");
                Files.write(in, data);
                Process sink = b.spawn("socat", "-u", "TCP4-LISTEN:" + PORT + ",reuseaddr", "CREATE:" + out);
                TestNet.await("the receiving socat to listen", () -> b.listening(PORT) || !sink.isAlive());
                assertTrue(sink.isAlive(), () -> "the receiving socat ended: " + output(sink));
                var ip = k.service(Inet.class).ipStats();
                Process send = a.spawn("socat", "-u", "OPEN:" + in, "TCP4:198.18.9.1:" + PORT);
                if (!send.waitFor(120, TimeUnit.SECONDS)) {
                    send.destroyForcibly();
                    fail("the transfer through the router stalled: " + ip.snapshot());
                }
                assertEquals(0, send.exitValue(), () -> output(send));
                assertTrue(sink.waitFor(60, TimeUnit.SECONDS), "the receiving socat saw the end of the stream");

                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] want = sha.digest(data);
                assertArrayEquals(want, sha.digest(Files.readAllBytes(out)), "20 MB through the router, byte-exact");
                assertTrue(ip.get("packets forwarded") > 0, ip.snapshot().toString());
                assertEquals(0, ip.get("datagrams that can't be fragmented"), "no segment was refused for DF: "
                        + ip.snapshot());
            } finally {
                HaltReport r = k.halt();
                assertTrue(r.clean(), r.toString());
            }
        }
    }
}
