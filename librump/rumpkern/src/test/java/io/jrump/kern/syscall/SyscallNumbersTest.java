package io.jrump.kern.syscall;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The table's numbers are NetBSD's: a remote client and a NetBSD rump client name the same call by the
 * same number. The reference is NetBSD's {@code sys/kern/syscalls.master}; a new row needs its line
 * here, copied from there, and the file system calls the VFS adds are listed already.
 */
class SyscallNumbersTest {
    private static final Map<String, Integer> NETBSD = new TreeMap<>(Map.ofEntries(
            Map.entry("read", 3), Map.entry("write", 4), Map.entry("open", 5), Map.entry("close", 6),
            Map.entry("link", 9), Map.entry("unlink", 10), Map.entry("chdir", 12), Map.entry("fchdir", 13),
            Map.entry("chmod", 15), Map.entry("chown", 16), Map.entry("getpid", 20), Map.entry("unmount", 22),
            Map.entry("getuid", 24), Map.entry("geteuid", 25), Map.entry("recvmsg", 27), Map.entry("sendmsg", 28),
            Map.entry("recvfrom", 29), Map.entry("accept", 30), Map.entry("getpeername", 31),
            Map.entry("getsockname", 32), Map.entry("access", 33), Map.entry("sync", 36), Map.entry("getppid", 39),
            Map.entry("dup", 41), Map.entry("getegid", 43), Map.entry("getgid", 47), Map.entry("ioctl", 54),
            Map.entry("symlink", 57), Map.entry("readlink", 58), Map.entry("umask", 60), Map.entry("chroot", 61),
            Map.entry("dup2", 90), Map.entry("fcntl", 92), Map.entry("fsync", 95), Map.entry("connect", 98),
            Map.entry("bind", 104), Map.entry("setsockopt", 105), Map.entry("listen", 106),
            Map.entry("getsockopt", 118), Map.entry("readv", 120), Map.entry("writev", 121),
            Map.entry("fchown", 123), Map.entry("fchmod", 124), Map.entry("rename", 128), Map.entry("mkfifo", 132),
            Map.entry("sendto", 133), Map.entry("shutdown", 134), Map.entry("mkdir", 136), Map.entry("rmdir", 137),
            Map.entry("pread", 173), Map.entry("pwrite", 174), Map.entry("lseek", 199), Map.entry("truncate", 200),
            Map.entry("ftruncate", 201), Map.entry("__sysctl", 202), Map.entry("reboot", 208), Map.entry("poll", 209),
            Map.entry("modctl", 246), Map.entry("__getcwd", 296), Map.entry("statvfs1", 357),
            Map.entry("fstatvfs1", 358), Map.entry("__getdents30", 390), Map.entry("__socket30", 394),
            Map.entry("__mount50", 410), Map.entry("__utimes50", 420), Map.entry("__stat50", 439),
            Map.entry("__fstat50", 440), Map.entry("__lstat50", 441), Map.entry("__mknod50", 450),
            Map.entry("pathconf", 191), Map.entry("lchown", 275), Map.entry("linkat", 457), Map.entry("renameat", 458),
            Map.entry("mkdirat", 461), Map.entry("fstatat", 466), Map.entry("utimensat", 467), Map.entry("openat", 468),
            Map.entry("unlinkat", 471), Map.entry("futimens", 472), Map.entry("getvfsstat", 356)));

    @Test
    void everyRowHasNetbsdsNumber() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (SyscallRow r : SyscallRow.all()) {
            Integer n = NETBSD.get(r.name());
            if (n == null || n != r.number()) {
                wrong.add(r.name() + " is " + r.number() + " here, " + (n == null ? "not listed" : n) + " in NetBSD");
            }
            assertEquals(r.number(), SyscallNumbers.class.getField("SYS_" + r.name()).getInt(null), r.name());
            assertSame(r, SyscallRow.of(r.number()));
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theNumbersClassListsTheRowsAndNothingElse() {
        Set<String> constants = new HashSet<>();
        for (var f : SyscallNumbers.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && !f.getName().equals("SYS_MAXSYSCALL")) {
                constants.add(f.getName().substring(4));
            }
        }
        Set<String> rows = new HashSet<>();
        SyscallRow.all().forEach(r -> rows.add(r.name()));
        assertEquals(rows, constants);
    }

    /** Every method of {@link Syscalls} but the numbered entry point is a row's entry, and every row names its methods. */
    @Test
    void everyMethodEntersARow() {
        for (Method m : Syscalls.class.getMethods()) {
            if (m.getName().equals("syscall")) {
                continue;
            }
            Syscall s = m.getAnnotation(Syscall.class);
            assertNotNull(s, m.getName());
            SyscallRow r = SyscallRow.of(s.number());
            assertEquals(s.name(), r.name());
            assertEquals(s.component(), r.component());
            assertTrue(r.methods().contains(m.getName()), r + " lists " + m.getName());
        }
        assertEquals(SyscallRow.of(SyscallNumbers.SYS_recvfrom).args(), SyscallRow.of(SyscallNumbers.SYS_recvmsg).args(),
                "recvmsg takes recvfrom's arguments");
        assertEquals(SyscallRow.Dir.OUT, SyscallRow.of(SyscallNumbers.SYS_recvmsg).object(1).dir());
    }
}
