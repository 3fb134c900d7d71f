package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscall;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallRow;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;
import io.jrump.rumpclient.RumpClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every entry of the syscall table gives the same outcome in-process and through sysproxy. Two kernels
 * booted alike stand side by side: one is called directly, the other through a {@link RumpServer} and a
 * {@link RumpClient}. For each {@link Syscalls} method (read off the table, not chosen), and for each
 * row again through the numbered {@link Syscalls#syscall} (which reaches rows no method enters), a fresh
 * process on each side gets the same fixture (a UDP socket bound to its own port with one datagram
 * queued to itself), makes the call with arguments chosen by parameter name, and records the return
 * value or errno and text, every argument object as the call left it, and the result object. The two
 * transcripts must be equal. The fixture also holds a small file, {@code /tmp/rt}, made again before each call,
 * for the file system rows. It runs once as root and once as {@code nobody}, so that both the paths
 * that work and those refused for want of privilege are compared; {@code reboot} goes last, and halts
 * both kernels.
 */
class SyscallTableRoundTripTest {
    private static final int PORT = 20000;
    /** The regular file every process's fixture makes (again) before its call. */
    private static final String FILE = "/tmp/rt";
    private static final byte[] DATAGRAM = "ping".getBytes(StandardCharsets.US_ASCII);

    /** Integer arguments by parameter name: what a sensible program would pass. */
    private static final Map<String, Long> INTS = Map.ofEntries(
            Map.entry("to", 9L), Map.entry("arg", 0L), Map.entry("timeoutMs", 0L),
            Map.entry("howto", (long) Syscalls.RB_HALT), Map.entry("domain", (long) SocketDefs.AF_INET),
            Map.entry("type", (long) SocketDefs.SOCK_DGRAM), Map.entry("protocol", 0L), Map.entry("backlog", 5L),
            Map.entry("flags", (long) SocketDefs.MSG_DONTWAIT), Map.entry("how", (long) SocketDefs.SHUT_WR),
            Map.entry("level", (long) SocketDefs.SOL_SOCKET), Map.entry("name", (long) SocketDefs.SO_RCVBUF),
            Map.entry("value", 8192L), Map.entry("elemSize", 0L), Map.entry("mode", 0644L), Map.entry("dirfd", (long) Syscalls.AT_FDCWD),
            Map.entry("fromfd", (long) Syscalls.AT_FDCWD), Map.entry("tofd", (long) Syscalls.AT_FDCWD),
            Map.entry("offset", 1L), Map.entry("whence", 0L), Map.entry("length", 3L), Map.entry("uid", 1000L),
            Map.entry("gid", 1000L), Map.entry("count", 4096L), Map.entry("mask", 027L), Map.entry("dev", 0L));
    /** String arguments of the file system rows, by parameter name: the fixture's file and names beside it. */
    private static final Map<String, String> PATHS = Map.of(
            "path", FILE, "from", FILE, "to", "/tmp/rt2", "target", "rt", "linkpath", "/tmp/rt-link",
            "type", "rumpfs", "data", "");
    /** String arguments by row and parameter name. */
    private static final Map<String, String> STRINGS = Map.of(
            "__sysctl.name", "kern.hostname", "__sysctl.value", "renamed", "__sysctl.prefix", "kern.ostype",
            "modctl.name", "rumpnet_nonesuch");
    /** The operation a call by number passes to a multiplexed row. */
    private static final Map<String, Long> OPS = Map.of(
            "__sysctl", (long) Syscalls.SYSCTL_READ, "modctl", (long) Syscalls.MODCTL_STAT);

    @Test
    void everyEntryGivesTheSameOutcomeLocallyAndRemotely(@TempDir Path dir) throws Exception {
        Kernel local = boot();
        Kernel served = boot();
        List<String> seenMethods = new ArrayList<>();
        TreeSet<Integer> seenRows = new TreeSet<>();
        try {
            int iteration = 0;
            for (Cred cred : List.of(CredPolicy.NOBODY, Cred.ROOT)) {
                try (RumpServer s = RumpServer.builder(served).url("unix://" + dir.resolve("sock" + cred.uid()))
                        .credPolicy(CredPolicy.everyone(cred)).start()) {
                    for (SyscallRow row : rowsHaltingLast()) {
                        if (row.halts() && cred.isRoot()) {
                            continue;
                        }
                        iteration = compare(local, served, s, cred, row, null, ++iteration);
                        seenRows.add(row.number());
                    }
                    for (Method m : methodsHaltingLast()) {
                        iteration = compare(local, served, s, cred, SyscallRow.of(m.getAnnotation(Syscall.class).number()),
                                m, ++iteration);
                        seenMethods.add(m.getName());
                    }
                }
            }
            Probe.await(() -> local.halting() && served.halting(), "reboot as root halting both kernels");
        } finally {
            local.halt();
            served.halt();
        }
        assertEquals(SyscallRow.all().stream().map(SyscallRow::number).toList(), List.copyOf(seenRows));
        assertEquals(Arrays.stream(Syscalls.class.getMethods()).filter(m -> m.isAnnotationPresent(Syscall.class))
                .map(Method::getName).sorted().toList(), seenMethods.stream().distinct().sorted().toList());
    }

    private static Kernel boot() throws Exception {
        return Kernel.boot(KernelConfig.builder().hypercall(HostHypercall.builder().environment(Map.of()).build())
                .hostname("twin").component("rumpnet_netinet").component("rumpvfs").build());
    }

    private static List<SyscallRow> rowsHaltingLast() {
        List<SyscallRow> l = new ArrayList<>(SyscallRow.all());
        l.sort(Comparator.comparing(SyscallRow::halts));
        return l;
    }

    private static List<Method> methodsHaltingLast() {
        List<Method> l = new ArrayList<>();
        for (Method m : Syscalls.class.getMethods()) {
            if (m.isAnnotationPresent(Syscall.class)) {
                l.add(m);
            }
        }
        l.sort(Comparator.comparing((Method m) -> m.getAnnotation(Syscall.class).halts()).thenComparing(Method::getName));
        return l;
    }

    /** One entry (a method, or the row by number when {@code m} is null) on both sides, compared. */
    private static int compare(Kernel local, Kernel served, RumpServer s, Cred cred, SyscallRow row, Method m,
                               int iteration) throws Exception {
        int port = PORT + iteration;
        Proc p = local.newProcess("twin", cred);
        String here;
        try {
            here = run(p.syscalls(), row, m, port);
        } finally {
            if (!local.halting()) {
                local.exitProcess(p);
            }
        }
        String there;
        int pid;
        try (RumpClient c = RumpClient.connect(s.url(), "twin")) {
            pid = c.pid();
            assertEquals(p.pid(), pid, "both kernels number their processes alike");
            there = run(c, row, m, port);
        }
        Probe.await(() -> served.halting() || served.proc(pid) == null, "process " + pid + " gone");
        String what = (m != null ? m.getName() : "syscall(" + row.name() + ")") + " as uid " + cred.uid();
        assertEquals(here, there, what);
        return iteration;
    }

    /** The fixture, the call and its transcript, through {@code sys}. */
    private static String run(Syscalls sys, SyscallRow row, Method m, int port) throws Exception {
        int fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        SockAddr self = SockAddr.in("127.0.0.1", port);
        sys.bind(fd, self);
        sys.sendto(fd, ByteBuffer.wrap(DATAGRAM), 0, self);
        assertEquals(1, sys.poll(new PollFd[] {new PollFd(fd, Poll.POLLIN)}, 30_000), "the datagram arrived");
        try {
            int ffd = sys.open(FILE, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0666);
            sys.write(ffd, ByteBuffer.wrap(DATAGRAM));
            sys.close(ffd);
        } catch (ErrnoException e) {
            assertEquals(Errno.EACCES, e.errno(), "the fixture file is someone else's");
        }
        List<String> out = new ArrayList<>();
        Object[] objects;
        if (m != null) {
            Parameter[] ps = m.getParameters();
            objects = new Object[ps.length];
            int shift = m.getAnnotation(Syscall.class).op() >= 0 ? 1 : 0;
            for (int k = 0; k < ps.length; k++) {
                SyscallRow.Arg spec = argAt(row, k + shift, ps[k].getType());
                Object v = value(row, spec, fd, self);
                objects[k] = ps[k].getType() == int.class ? (Object) ((Long) v).intValue() : v;
            }
            try {
                Object r = m.invoke(sys, objects);
                out.add("returned " + show(r));
            } catch (InvocationTargetException e) {
                out.add(outcome(e.getCause()));
            }
        } else {
            SyscallArgs a = new SyscallArgs();
            objects = a.o;
            for (SyscallRow.Arg spec : row.args()) {
                Object v = value(row, spec, fd, self);
                if (spec.kind() == SyscallRow.Kind.INT) {
                    a.i[spec.slot()] = ((Number) v).longValue();
                } else {
                    a.o[spec.slot()] = v;
                }
            }
            try {
                out.add("returned " + sys.syscall(row.number(), a) + " result " + show(a.result));
            } catch (ErrnoException e) {
                out.add(outcome(e));
            }
        }
        for (Object o : objects) {
            out.add("argument " + show(o));
        }
        return String.join("\n", out);
    }

    private static SyscallRow.Arg argAt(SyscallRow row, int slot, Class<?> type) {
        boolean integer = type == int.class || type == long.class;
        for (SyscallRow.Arg a : row.args()) {
            if (a.slot() == slot && (a.kind() == SyscallRow.Kind.INT) == integer) {
                return a;
            }
        }
        throw new AssertionError(row + " has no argument in slot " + slot);
    }

    private static String outcome(Throwable t) {
        if (t instanceof ErrnoException e) {
            return Errno.name(e.errno()) + ": " + e.getMessage();
        }
        throw new AssertionError("not an errno", t);
    }

    /** The argument a program would pass for {@code spec}; a parameter nobody chose a value for fails the test. */
    private static Object value(SyscallRow row, SyscallRow.Arg spec, int fd, SockAddr self) {
        String n = spec.name();
        if (spec.kind() == SyscallRow.Kind.INT) {
            if (n.equals("fd") || n.equals("from")) {
                return (long) fd;
            }
            if (n.equals("op")) {
                return OPS.get(row.name());
            }
            if (n.equals("cmd")) {
                return spec.type() == long.class ? SocketDefs.FIONREAD : (long) Syscalls.F_GETFL;
            }
            Long v = INTS.get(n);
            assertNotNull(v, "no test value for integer argument '" + n + "' of " + row);
            return v;
        }
        if (spec.type() == ByteBuffer.class) {
            return spec.dir() == SyscallRow.Dir.OUT ? ByteBuffer.allocate(32) : ByteBuffer.wrap(DATAGRAM.clone());
        }
        if (spec.type() == ByteBuffer[].class) {
            return spec.dir() == SyscallRow.Dir.OUT ? new ByteBuffer[] {ByteBuffer.allocate(5), ByteBuffer.allocate(32)}
                    : new ByteBuffer[] {ByteBuffer.wrap(DATAGRAM, 0, 3).slice(), ByteBuffer.wrap(DATAGRAM.clone())};
        }
        if (spec.type() == SockAddr.class) {
            return spec.dir() == SyscallRow.Dir.IN ? self.copy() : new SockAddr();
        }
        if (spec.type() == PollFd[].class) {
            return new PollFd[] {new PollFd(fd, Poll.POLLIN)};
        }
        if (spec.type() == String.class) {
            String v = STRINGS.getOrDefault(row.name() + "." + n,
                    row.component().equals("rumpvfs") ? PATHS.get(n) : null);
            assertNotNull(v, "no test value for string argument '" + n + "' of " + row);
            return v;
        }
        if (spec.type() == io.jrump.kern.vfs.Flock.class) {
            return new io.jrump.kern.vfs.Flock(0, 0, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET);
        }
        if (spec.type() == Timespec.class) {
            return new Timespec(1_000_000, 500);
        }
        if (spec.type() == Object.class) {
            return new int[1];
        }
        throw new AssertionError("no test value for a " + spec.type().getName() + " (" + n + " of " + row + ")");
    }

    private static String show(Object v) {
        if (v instanceof ByteBuffer b) {
            byte[] got = new byte[b.position()];
            b.duplicate().flip().get(got);
            return "buffer position " + b.position() + " limit " + b.limit() + " bytes " + HexFormat.of().formatHex(got);
        }
        if (v instanceof ByteBuffer[] bs) {
            StringBuilder sb = new StringBuilder("iovec");
            for (ByteBuffer b : bs) {
                sb.append(" [").append(show(b)).append(']');
            }
            return sb.toString();
        }
        if (v instanceof PollFd[] fds) {
            StringBuilder sb = new StringBuilder("pollfds");
            for (PollFd f : fds) {
                sb.append(' ').append(f.fd).append('/').append(f.events).append('/').append(f.revents);
            }
            return sb.toString();
        }
        if (v instanceof int[] a) {
            return Arrays.toString(a);
        }
        if (v instanceof Stat st) {
            // the times the clock gives differ between the two kernels; what a call set is compared
            return "stat mode " + Integer.toOctalString(st.mode()) + " ino " + st.ino() + " nlink " + st.nlink()
                    + " uid " + st.uid() + " gid " + st.gid() + " size " + st.size() + " mtime "
                    + (st.mtimeSec() == 1_000_000 ? "set" : "clock");
        }
        if (v instanceof List<?> l) {
            return l.stream().map(SyscallTableRoundTripTest::show).toList().toString();
        }
        if (v instanceof StatVfs sv) {
            return "statvfs " + sv.fstypename() + " on " + sv.mntonname() + " bsize " + sv.bsize();
        }
        return String.valueOf(v);
    }
}
