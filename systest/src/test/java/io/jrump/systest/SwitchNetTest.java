package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.configure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.module.ComponentRegistry;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Interfaces;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.EtherSegments;
import io.jrump.virtif.LearningSwitch;
import io.jrump.virtif.LinkEmulator;
import io.jrump.virtif.ShmifComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Kernels on a {@link LearningSwitch}: what crosses it arrives exactly, and only where it is addressed. */
class SwitchNetTest {
    private static int udp(Syscalls s) throws ErrnoException {
        return s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
    }

    private static long framesIn(Kernel k) {
        return k.service(Interfaces.class).find("shmif0").stats().ipackets();
    }

    /** Sends {@code data} over TCP from {@code from} to {@code to}:{@code port} and returns what arrived. */
    private static byte[] transfer(Kernel from, Kernel to, String toAddr, int port, byte[] data) throws Exception {
        Syscalls st = to.syscalls();
        int l = tcp(st);
        st.bind(l, SockAddr.in("0.0.0.0", port));
        st.listen(l, 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                Syscalls sf = from.syscalls();
                int c = tcp(sf);
                sf.connect(c, SockAddr.in(toAddr, port));
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    sf.write(c, src);
                }
                sf.close(c);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "writer");
        writer.start();
        int s = st.accept(l, null);
        st.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
        ByteBuffer got = ByteBuffer.allocate(data.length + 1);
        ByteBuffer buf = ByteBuffer.allocate(65536);
        for (;;) {
            buf.clear();
            int n = st.read(s, buf);
            if (n == 0) {
                break;
            }
            buf.flip();
            got.put(buf);
        }
        writer.join(20_000);
        st.close(s);
        st.close(l);
        assertEquals(null, failure.get());
        return Arrays.copyOf(got.array(), got.position());
    }

    @Test
    void udpAndTcpArriveExactlyAndAThirdKernelHearsNoneOfAnotherPairsUnicast() throws Exception {
        try (TestNet net = new TestNet()) {
            LearningSwitch sw = new LearningSwitch("sw", HostHypercall.create().clock());
            List<Kernel> ks = new ArrayList<>();
            LinkEmulator emu = null;
            for (int i = 0; i < 4; i++) {
                Kernel k = net.boot("k" + i);
                ks.add(k);
                EtherLink port = sw.attach();
                if (i == 3) {
                    // the fourth kernel's frames cross a link that loses, duplicates and reorders, from a fixed seed
                    port = emu = new LinkEmulator(k.hypercall(), port,
                            "loss=1%,dup=1%,reorder=5%,reorder-delay=2ms,delay=1ms,seed=7,in.loss=1%");
                }
                attach(k, "shmif0", port, "198.18.0." + (i + 1) + "/24");
            }
            int[] socks = new int[4];
            for (int i = 0; i < 4; i++) {
                Syscalls s = ks.get(i).syscalls();
                socks[i] = udp(s);
                s.setsockopt(socks[i], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
                s.bind(socks[i], SockAddr.in("198.18.0." + (i + 1), 7));
            }
            // every kernel to every other, each datagram read before the next is sent; one lost on the emulated link is
            // sent again, as an application over UDP would, and a late duplicate of an earlier one is skipped
            ByteBuffer buf = ByteBuffer.allocate(100);
            SockAddr from = new SockAddr();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    if (i == j) {
                        continue;
                    }
                    String msg = "from " + i + " to " + j;
                    sent.add(msg);
                    Syscalls sj = ks.get(j).syscalls();
                    sj.setsockopt(socks[j], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 300);
                    String got = null;
                    for (int attempt = 0; attempt < 50 && !msg.equals(got); attempt++) {
                        ks.get(i).syscalls().sendto(socks[i], ByteBuffer.wrap(msg.getBytes(StandardCharsets.US_ASCII)), 0,
                                SockAddr.in("198.18.0." + (j + 1), 7));
                        for (;;) {
                            buf.clear();
                            try {
                                got = new String(buf.array(), 0, sj.recvfrom(socks[j], buf, 0, from),
                                        StandardCharsets.US_ASCII);
                            } catch (ErrnoException e) {
                                assertEquals(Errno.EAGAIN, e.errno());
                                break;
                            }
                            if (msg.equals(got)) {
                                break;
                            }
                            assertTrue(sent.contains(got), "k" + j + " received '" + got + "', which nobody sent");
                        }
                    }
                    assertEquals(msg, got);
                    assertEquals("198.18.0." + (i + 1), SockAddr.format(from.addr));
                }
            }

            byte[] big = new byte[1 << 20];
            new SplittableRandom(1).nextBytes(big);
            long thirdBefore = framesIn(ks.get(2));
            long secondBefore = framesIn(ks.get(1));
            assertArrayEquals(big, transfer(ks.get(0), ks.get(1), "198.18.0.2", 5001, big), "k0 to k1, chains and TSO");
            assertEquals(thirdBefore, framesIn(ks.get(2)), "k2 gets no frame of k0 and k1's connection");
            assertTrue(framesIn(ks.get(1)) - secondBefore < big.length / 1448 / 4,
                    "the switch hands large TCP segments over whole, as the hub does: "
                    + (framesIn(ks.get(1)) - secondBefore) + " frames for 1 MB");

            byte[] lossy = new byte[256 << 10];
            new SplittableRandom(2).nextBytes(lossy);
            assertArrayEquals(lossy, transfer(ks.get(3), ks.get(2), "198.18.0.3", 5002, lossy),
                    "k3 to k2 through the emulated link");
            assertArrayEquals(lossy, transfer(ks.get(2), ks.get(3), "198.18.0.4", 5003, lossy),
                    "k2 to k3 through the emulated link");
            assertTrue(sw.stats().forwarded() > sw.stats().flooded(), sw.stats().toString());
            assertTrue(emu.egressStats().lost() > 0 && emu.ingressStats().lost() > 0,
                    "the emulated link lost frames both ways: " + emu.egressStats() + " " + emu.ingressStats());
        }
    }

    private static Kernel boot(String name, ComponentRegistry components, long seed) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).registry(components)
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                        .random(new SeededRandom(seed)).build())
                .component("rumpnet_netinet", "rumpnet_shmif").build());
    }

    private static void linkstr(Kernel k, String linkstr) throws ErrnoException {
        IfReq r = new IfReq("shmif0");
        r.linkstr = linkstr;
        k.service(Interfaces.class).ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
    }

    @Test
    void aShmifLinkstrNamesAnInProcessSwitchOfTheSetItsKernelWasGiven() throws Exception {
        List<Kernel> ks = new ArrayList<>();
        try {
            EtherSegments lab = new EtherSegments(HostHypercall.create().clock());
            ComponentRegistry withLab = ComponentRegistry.load().with(List.of(new ShmifComponent(lab)));
            ComponentRegistry other = ComponentRegistry.load().with(List.of(new ShmifComponent(
                    new EtherSegments(HostHypercall.create().clock()))));
            for (int i = 0; i < 4; i++) {
                Kernel k = boot("k" + i, i < 3 ? withLab : other, i + 1);
                ks.add(k);
                k.service(Interfaces.class).create("shmif0");
                linkstr(k, "switch:lab");
                configure(k, "shmif0", "198.18.0." + (i + 1) + "/24");
            }
            assertEquals(3, lab.learningSwitch("lab").portCount());

            int[] socks = new int[4];
            for (int i = 0; i < 4; i++) {
                Syscalls s = ks.get(i).syscalls();
                socks[i] = udp(s);
                s.setsockopt(socks[i], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
                s.bind(socks[i], SockAddr.in("0.0.0.0", 7));
            }
            ByteBuffer buf = ByteBuffer.allocate(100);
            for (int j = 1; j < 3; j++) {
                ks.get(0).syscalls().sendto(socks[0], ByteBuffer.wrap(new byte[] {(byte) j}), 0,
                        SockAddr.in("198.18.0." + (j + 1), 7));
                buf.clear();
                assertEquals(1, ks.get(j).syscalls().recvfrom(socks[j], buf, 0, null));
                assertEquals(j, buf.get(0));
            }
            // the fourth kernel's "lab" is another set's: it is alone there
            ks.get(0).syscalls().sendto(socks[0], ByteBuffer.wrap(new byte[] {4}), 0, SockAddr.in("198.18.0.4", 7));
            ks.get(3).syscalls().setsockopt(socks[3], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> ks.get(3).syscalls().recvfrom(socks[3], ByteBuffer.allocate(10), 0, null));
            assertEquals(Errno.EAGAIN, e.errno());

            lab.hub("h");
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> linkstr(ks.get(0), "switch:h")).errno(),
                    "h is a hub");
            linkstr(ks.get(1), "hub:h");
            assertEquals(1, lab.hub("h").portCount());
            assertEquals(2, lab.learningSwitch("lab").portCount(), "k1 left the switch for the hub");

            Kernel plain = boot("plain", ComponentRegistry.load(), 9);
            ks.add(plain);
            plain.service(Interfaces.class).create("shmif0");
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class, () -> linkstr(plain, "switch:lab")).errno(),
                    "a kernel given no set has no in-process segments");
        } finally {
            List<String> dirty = new ArrayList<>();
            for (Kernel k : ks) {
                HaltReport r = k.halt();
                if (!r.clean()) {
                    dirty.add(r.toString());
                }
            }
            assertEquals(List.of(), dirty);
        }
    }
}
