package io.jrump.systest;

import static io.jrump.systest.TestNet.attach;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.module.ComponentRegistry;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.LearningSwitch;
import io.jrump.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A thousand kernels with {@code rumpnet_netinet} on one switch in one JVM (issue 15): kernel 0 sends a datagram to
 * every other kernel's socket and each answers; every kernel gets exactly its own datagram, and kernel 0 every
 * answer. One exchange at a time, as an application would: all thousand at once would have a thousand ARP
 * replies arrive at kernel 0 together, more than its interface's input queue holds, and a request whose reply
 * was dropped is repeated only when another packet for that neighbour comes. On a hub each of those frames would reach all thousand kernels; on the switch with ARP suppression each
 * reaches one.
 */
class ThousandKernelsTest {
    private static final int N = 1000;
    private static final int PORT = 7;

    private static String address(int i) {
        return Ipv4Address.format(Ipv4Address.parse("198.18.0.1") + i);
    }

    @Test
    void kernelZeroExchangesADatagramWithEachOfAThousandKernels() throws Exception {
        // what an embedder that runs many kernels does: one host clock for all (their callouts share a timer thread
        // instead of starting a thousand), and the class path scanned for components once
        HyperClock clock = HostHypercall.sharedClock();
        ComponentRegistry components = ComponentRegistry.load();
        LearningSwitch sw = new LearningSwitch("sw", clock);
        sw.setArpSuppression(true);
        Kernel[] k = new Kernel[N];
        try {
            int[] sock = new int[N];
            for (int i = 0; i < N; i++) {
                k[i] = Kernel.boot(KernelConfig.builder().hostname("k" + i).ncpu(1).registry(components)
                        .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                                .random(new SeededRandom(i + 1)).clock(clock).build())
                        .component("rumpnet_netinet").build());
                attach(k[i], "shmif0", sw.attach(), address(i) + "/16");
                Syscalls s = k[i].syscalls();
                sock[i] = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                s.setsockopt(sock[i], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
                s.bind(sock[i], SockAddr.in(address(i), PORT));
            }
            Syscalls s0 = k[0].syscalls();
            ByteBuffer buf = ByteBuffer.allocate(64);
            SockAddr from = new SockAddr();
            for (int i = 1; i < N; i++) {
                s0.sendto(sock[0], ascii("ping " + i), 0, SockAddr.in(address(i), PORT));
                Syscalls si = k[i].syscalls();
                buf.clear();
                int n = si.recvfrom(sock[i], buf, 0, from);
                assertEquals("ping " + i, new String(buf.array(), 0, n, StandardCharsets.US_ASCII), "kernel " + i);
                assertEquals(address(0), SockAddr.format(from.addr), "kernel " + i);
                si.sendto(sock[i], ascii("pong " + i), 0, from);
                buf.clear();
                n = s0.recvfrom(sock[0], buf, 0, from);
                assertEquals("pong " + i, new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
                assertEquals(address(i), SockAddr.format(from.addr));
            }
            // and nobody got anything else: no kernel's socket holds a datagram more
            for (int i = 0; i < N; i++) {
                Syscalls si = k[i].syscalls();
                int mine = sock[i];
                ErrnoException none = assertThrows(ErrnoException.class,
                        () -> si.recvfrom(mine, ByteBuffer.allocate(64), SocketDefs.MSG_DONTWAIT, null),
                        "kernel " + i + " received more than its own datagram");
                assertEquals(Errno.EAGAIN, none.errno());
            }
            assertEquals(N, sw.portCount());
        } finally {
            List<String> dirty = new ArrayList<>();
            for (Kernel kk : k) {
                if (kk != null) {
                    HaltReport r = kk.halt();
                    if (!r.clean()) {
                        dirty.add(r.toString());
                    }
                }
            }
            assertEquals(List.of(), dirty);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
