package io.jrump.systest.vtw;

import static io.jrump.systest.TestNet.await;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.systest.TestNet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixed-size pools of vestigial TIME_WAIT (seed 004): a full class discards its oldest entry
 * first, which frees that connection's port and only that one; its size is a power of two fixed
 * once used; and the tick frees entries in age order.
 */
class VtwPoolTest {

    /** Opens a loopback connection that the client closes first; returns the client's port, now in TIME_WAIT. */
    private static int clientClosesFirst(Syscalls s, int listener, Tcp tcp, int expectedTw) throws Exception {
        return clientClosesFirst(s, listener, "TIME_WAIT " + expectedTw, () -> tcp.timeWaitCount() == expectedTw);
    }

    private static int clientClosesFirst(Syscalls s, int listener, String what, BooleanSupplier done) throws Exception {
        int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.connect(c, SockAddr.in("127.0.0.1", 7000));
        SockAddr me = new SockAddr();
        s.getsockname(c, me);
        int a = s.accept(listener, null);
        s.close(c);
        assertEquals(0, s.read(a, ByteBuffer.allocate(8)));
        s.close(a);
        await(what, done);
        return me.port;
    }

    private static boolean bindable(Syscalls s, int port) throws ErrnoException {
        int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        try {
            s.bind(fd, SockAddr.in("127.0.0.1", port));
            return true;
        } catch (ErrnoException e) {
            assertEquals(Errno.EADDRINUSE, e.errno());
            return false;
        } finally {
            s.close(fd);
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void aFullClassDiscardsItsOldestEntryFirst(boolean vtw) throws Exception {
        try (TestNet net = new TestNet(new ManualClock())) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");
            s.sysctlWrite("net.inet.tcp.vtw.entries", "16");
            Tcp tcp = inet(k).tcp();
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("127.0.0.1", 7000));
            s.listen(l, 5);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                ports.add(clientClosesFirst(s, l, tcp, i + 1));
            }
            assertTrue(ports.stream().noneMatch(p -> {
                try {
                    return bindable(s, p);
                } catch (ErrnoException e) {
                    throw new AssertionError(e);
                }
            }), "every port in TIME_WAIT is taken");
            if (vtw) {
                ports.add(clientClosesFirst(s, l, "a 17th entry", () -> tcp.vtwStats().get("inserts") == 17));
            } else {
                ports.add(clientClosesFirst(s, l, tcp, 17));
            }
            if (vtw) {
                assertEquals(16, tcp.vestigialCount());
                assertEquals(1, tcp.vtwStats().get("kills"));
                assertTrue(bindable(s, ports.get(0)), "the oldest entry made room");
            } else {
                assertEquals(17, tcp.timeWaitCount(), "full pcbs are not limited by the VTW pools");
                assertTrue(!bindable(s, ports.get(0)));
            }
            for (int p : ports.subList(1, ports.size())) {
                assertTrue(!bindable(s, p), "port " + p + " is still in TIME_WAIT");
            }
            s.close(l);
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void connectingTheSameFourTupleAgainIsRefusedWhileItIsInTimeWait(boolean vtw) throws Exception {
        try (TestNet net = new TestNet(new ManualClock())) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");
            Tcp tcp = inet(k).tcp();
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("127.0.0.1", 7000));
            s.listen(l, 5);
            int port = clientClosesFirst(s, l, tcp, 1);
            int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.setsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            s.bind(c, SockAddr.in("127.0.0.1", port));
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.connect(c, SockAddr.in("127.0.0.1", 7000)));
            assertEquals(Errno.EADDRINUSE, e.errno(), "the old incarnation still holds the four-tuple");
            s.close(c);
            s.close(l);
        }
    }

    @Test
    void withoutKernelMemoryForThePoolTheFullPcbStays() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("small").ncpu(1).memoryLimit(16 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                        .clock(new ManualClock()).build())
                .component("rumpnet_netinet").build());
        try {
            Syscalls s = k.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", "1");
            // 2^20 entries take some 62 MB: more than this kernel may have
            s.sysctlWrite("net.inet.tcp.vtw.entries", Integer.toString(1 << 20));
            Tcp tcp = inet(k).tcp();
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("127.0.0.1", 7000));
            s.listen(l, 5);
            int port = clientClosesFirst(s, l, tcp, 1);
            assertEquals(0, tcp.vestigialCount());
            assertEquals(1, tcp.vtwStats().get("insert failures"));
            assertTrue(!bindable(s, port), "the connection waits in TIME_WAIT all the same");
            s.close(l);
        } finally {
            HaltReport r = k.halt();
            assertTrue(r.clean(), r.toString());
        }
    }

    @Test
    void entriesIsAPowerOfTwoFixedOnceUsed() throws Exception {
        try (TestNet net = new TestNet(new ManualClock())) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.sysctlWrite("net.inet.tcp.vtw.entries", "100"));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("power of two"), e.getMessage());
            e = assertThrows(ErrnoException.class, () -> s.sysctlWrite("net.inet.tcp.vtw.entries", "8"));
            assertEquals(Errno.EINVAL, e.errno());
            e = assertThrows(ErrnoException.class, () -> s.sysctlWrite("net.inet.tcp.vtw.enable", "2"));
            assertEquals(Errno.EINVAL, e.errno());
            e = assertThrows(ErrnoException.class, () -> s.sysctlWrite("net.inet.tcp.mslt.local", "-1"));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("4096", s.sysctlWrite("net.inet.tcp.vtw.entries", "32"));
            s.sysctlWrite("net.inet.tcp.vtw.enable", "1");
            Tcp tcp = inet(k).tcp();
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("127.0.0.1", 7000));
            s.listen(l, 5);
            clientClosesFirst(s, l, tcp, 1);
            e = assertThrows(ErrnoException.class, () -> s.sysctlWrite("net.inet.tcp.vtw.entries", "64"));
            assertEquals(Errno.EBUSY, e.errno(), "the pool exists: its size is fixed");
            assertTrue(e.getMessage().contains("net.inet.tcp.vtw.entries"), e.getMessage());
            assertEquals("32", s.sysctlRead("net.inet.tcp.vtw.entries"));
            s.close(l);
        }
    }

    @Test
    void entriesExpireInAgeOrderAndEntriesMadeBeforeVtwWasTurnedOffStillCount() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", "1");
            Tcp tcp = inet(k).tcp();
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("127.0.0.1", 7000));
            s.listen(l, 5);
            int first = clientClosesFirst(s, l, tcp, 1);
            clock.advance(1_000_000_000L);
            int second = clientClosesFirst(s, l, tcp, 2);
            s.sysctlWrite("net.inet.tcp.vtw.enable", "0");
            assertTrue(!bindable(s, first) && !bindable(s, second), "entries outlive turning VTW off");
            clock.advance(1_100_000_000L);
            assertEquals(1, tcp.timeWaitCount(), "the older entry's 2 s are over");
            assertTrue(bindable(s, first));
            assertTrue(!bindable(s, second));
            clock.advance(1_100_000_000L);
            assertEquals(0, tcp.timeWaitCount());
            assertEquals(2, tcp.vtwStats().get("expired"));
            assertTrue(bindable(s, second));
            s.close(l);
        }
    }
}
