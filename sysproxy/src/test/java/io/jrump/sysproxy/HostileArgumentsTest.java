package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallRow;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.RtReq;
import io.jrump.netinet.arp.ArpReq;
import io.jrump.rumpclient.RumpClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that passes arguments of the wrong kind to every row of the syscall table, and to every
 * ioctl command, as root: each call fails with an errno (or succeeds), the server logs no exception,
 * the kernel's console shows none, and the server goes on serving. A hostile client's mistakes are its
 * own, not the kernel's.
 */
class HostileArgumentsTest {
    /** Objects of every kind the codec carries, none of them what any slot wants. */
    private static List<Object> wrongValues() {
        List<Object> l = new ArrayList<>();
        l.add(null);
        l.add("kern.nonesuch");
        l.add(7);
        l.add(7L);
        l.add(true);
        l.add(new byte[3]);
        l.add(new int[0]);
        l.add(new int[1]);
        l.add(SockAddr.in("127.0.0.1", 9));
        l.add(new SockAddr(99, 0, 0));
        l.add(List.of("a", 1));
        l.add(new IfReq());
        return l;
    }

    /** Records of the right kind for the interface ioctls, with fields no honest program sends. */
    private static List<Object> oddRecords() {
        List<Object> l = new ArrayList<>();
        for (String name : new String[] {"lo0", "", "nonesuch0", "x".repeat(300)}) {
            IfReq r = new IfReq(name);
            r.flags = -1;
            r.mtu = -1;
            r.addr = -1;
            r.netmask = 0x00ff00ff;
            r.linkstr = "";
            l.add(r);
        }
        IfReq huge = new IfReq("lo0");
        huge.mtu = Integer.MAX_VALUE;
        l.add(huge);
        for (int len : new int[] {-1, 33, Integer.MIN_VALUE}) {
            RtReq rt = new RtReq(0x0a000000, len, 0x7f000001);
            rt.ifname = "nonesuch0";
            l.add(rt);
        }
        RtReq noGateway = new RtReq(0, 0, 0);
        l.add(noGateway);
        ArpReq arp = new ArpReq(-1, -1L);
        arp.ifname = "";
        l.add(arp);
        l.add(new ArpReq());
        return l;
    }

    private static final long[] INTS = {0, -1, 1L << 40, Integer.MIN_VALUE};

    @Test
    void wrongArgumentsAreErrnosNeverExceptions(@TempDir Path dir) throws Exception {
        BufferConsole console = new BufferConsole();
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpnet_netinet").hostname("target")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(console).build()).build());
        List<String> logs = new CopyOnWriteArrayList<>();
        int calls = 0;
        try (RumpServer s = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                .credPolicy(CredPolicy.everyone(Cred.ROOT)).log(logs::add).start();
             RumpClient c = RumpClient.connect(s.url(), "hostile")) {
            for (SyscallRow row : SyscallRow.all()) {
                if (row.halts()) {
                    continue;
                }
                for (long op : row.methods().size() > 1 ? new long[] {0, 1, 2, 3, 4, -1} : new long[] {0}) {
                    for (long i : INTS) {
                        for (int slot = 0; slot < SyscallArgs.MAX; slot++) {
                            for (Object v : wrongValues()) {
                                SyscallArgs a = new SyscallArgs();
                                for (int k2 = 0; k2 < SyscallArgs.MAX; k2++) {
                                    a.i[k2] = k2 == 0 && row.methods().size() > 1 ? op : i == 0 ? ownSocket(c) : i;
                                }
                                a.o[slot] = v;
                                call(c, row.number(), a);
                                calls++;
                            }
                        }
                    }
                }
            }
            List<Field> commands = new ArrayList<>(List.of(IfIoctl.class.getFields()));
            commands.addAll(List.of(SocketDefs.class.getFields()));
            for (Field f : commands) {
                if (f.getType() != long.class || !Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                List<Object> values = wrongValues();
                values.addAll(oddRecords());
                for (Object v : values) {
                    SyscallArgs a = new SyscallArgs();
                    a.i[0] = ownSocket(c);
                    a.i[1] = f.getLong(null);
                    a.o[2] = v;
                    call(c, io.jrump.kern.syscall.SyscallNumbers.SYS_ioctl, a);
                    calls++;
                }
            }
            assertEquals(c.pid(), c.getpid(), "the server still serves");
            assertEquals(1, s.connectionCount());
        } finally {
            k.halt();
        }
        assertTrue(calls > 1000, calls + " calls");
        assertEquals(List.of(), logs.stream().filter(l -> l.contains("threw") || l.contains("Exception")
                || l.contains("server error")).map(l -> l.substring(l.indexOf(": ") + 2)).distinct().limit(20).toList(),
                "the server logged no exception");
        assertFalse(console.text().contains("Exception"), console.text());
    }

    /** A non-blocking UDP socket of the client's, so that calls on a descriptor reach their arguments. */
    private static int ownSocket(RumpClient c) throws ErrnoException {
        try {
            c.fcntl(0, Syscalls.F_GETFL, 0);
            return 0;
        } catch (ErrnoException e) {
            int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
            assertEquals(0, fd);
            return fd;
        }
    }

    private static void call(RumpClient c, int number, SyscallArgs a) {
        try {
            c.syscall(number, a);
        } catch (ErrnoException expected) {
            assertTrue(c.isOpen(), "syscall " + number + " ended the connection: " + expected.getMessage());
        }
    }
}
