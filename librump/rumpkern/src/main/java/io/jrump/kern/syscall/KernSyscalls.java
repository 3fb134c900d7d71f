package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.file.KFile;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.file.SelInfo;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.sysctl.SysctlNode;
import static io.jrump.kern.syscall.SyscallNumbers.*;
import static io.jrump.kern.syscall.Syscalls.MODCTL_LOAD;
import static io.jrump.kern.syscall.Syscalls.MODCTL_STAT;
import static io.jrump.kern.syscall.Syscalls.MODCTL_UNLOAD;
import static io.jrump.kern.syscall.Syscalls.SYSCTL_GET;
import static io.jrump.kern.syscall.Syscalls.SYSCTL_LIST;
import static io.jrump.kern.syscall.Syscalls.SYSCTL_READ;
import static io.jrump.kern.syscall.Syscalls.SYSCTL_WRITE;

import io.jrump.hypercall.Errno;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Flock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The syscalls the kernel core implements itself ({@code rumpkern}'s part of {@code sysent}):
 * process identity, the descriptor calls that work on any kind of file, {@code poll}, {@code sysctl},
 * {@code modctl} and {@code reboot}.
 */
public final class KernSyscalls {
    private static final String OWNER = "rumpkern";

    private KernSyscalls() {
    }

    public static void register(Kernel k, SyscallTable t) {
        t.register(SYS_getpid, "getpid", OWNER, (l, a) -> l.proc().pid());
        t.register(SYS_getppid, "getppid", OWNER, (l, a) -> l.proc().ppid());
        t.register(SYS_getuid, "getuid", OWNER, (l, a) -> l.proc().cred().uid());
        t.register(SYS_geteuid, "geteuid", OWNER, (l, a) -> l.proc().cred().uid());
        t.register(SYS_getgid, "getgid", OWNER, (l, a) -> l.proc().cred().gid());
        t.register(SYS_getegid, "getegid", OWNER, (l, a) -> l.proc().cred().gid());
        t.register(SYS_read, "read", OWNER, (l, a) -> transfer(l, a, false));
        t.register(SYS_write, "write", OWNER, (l, a) -> transfer(l, a, true));
        t.register(SYS_close, "close", OWNER, KernSyscalls::close);
        t.register(SYS_dup, "dup", OWNER, (l, a) -> l.proc().files().dup((int) a.i[0]));
        t.register(SYS_dup2, "dup2", OWNER, (l, a) -> l.proc().files().dup2((int) a.i[0], (int) a.i[1]));
        t.register(SYS_ioctl, "ioctl", OWNER, KernSyscalls::ioctl);
        t.register(SYS_fcntl, "fcntl", OWNER, KernSyscalls::fcntl);
        t.register(SYS_poll, "poll", OWNER, (l, a) -> poll(k, l, a));
        t.register(SYS___sysctl, "__sysctl", OWNER, (l, a) -> sysctl(k, l, a));
        t.register(SYS_modctl, "modctl", OWNER, (l, a) -> modctl(k, l, a));
        t.register(SYS_reboot, "reboot", OWNER, (l, a) -> {
            if (!l.proc().cred().isRoot()) {
                throw new ErrnoException(Errno.EPERM, "only root may halt the kernel");
            }
            k.haltAsync("reboot(" + a.i[0] + ") by pid " + l.proc().pid());
            return 0;
        });
    }

    private static ByteBuffer buffer(SyscallArgs a, int idx) throws ErrnoException {
        if (!(a.o[idx] instanceof ByteBuffer b)) {
            throw new ErrnoException(Errno.EFAULT, "no buffer");
        }
        return b;
    }

    /** {@code read} and {@code write}: the descriptor's own file operation on the caller's buffer. */
    private static long transfer(Lwp l, SyscallArgs a, boolean write) throws ErrnoException {
        ByteBuffer b = buffer(a, 1);
        FileTable ft = l.proc().files();
        KFile fp = ft.get((int) a.i[0]);
        try {
            return write ? fp.ops().write(fp, b) : fp.ops().read(fp, b);
        } finally {
            ft.put(fp);
        }
    }

    /** FIONBIO is handled here for every kind of file, as {@code sys_ioctl} does. */
    static final long FIONBIO = SocketDefs.FIONBIO;

    private static long ioctl(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = ft.get((int) a.i[0]);
        try {
            if (a.i[1] == FIONBIO) {
                boolean on;
                if (a.o[2] instanceof int[] arr && arr.length > 0) {
                    on = arr[0] != 0;
                } else if (a.o[2] instanceof Integer v) {
                    on = v != 0;
                } else {
                    throw new ErrnoException(Errno.EFAULT, "FIONBIO takes an int");
                }
                fp.setFlags(on ? fp.flags() | KFile.O_NONBLOCK : fp.flags() & ~KFile.O_NONBLOCK);
            }
            return fp.ops().ioctl(fp, a.i[1], a.o[2]);
        } catch (ErrnoException e) {
            if (a.i[1] == FIONBIO && e.errno() == Errno.ENOTTY) {
                return 0;
            }
            throw e;
        } finally {
            ft.put(fp);
        }
    }

    /** {@code close(2)}: the file hears which process let go before the descriptor goes. */
    private static long close(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        int fd = (int) a.i[0];
        KFile fp = ft.get(fd);
        try {
            fp.ops().closing(fp, l.proc());
        } finally {
            ft.put(fp);
        }
        ft.close(fd);
        return 0;
    }

    /**
     * {@code fcntl(2)}: status flags live in the file, {@code FD_CLOEXEC} in the descriptor; the
     * {@code F_DUPFD} minimum is an int, so a value past it is EINVAL as for any minimum out of range.
     */
    private static long fcntl(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        int fd = (int) a.i[0];
        KFile fp = ft.get(fd);
        try {
            switch ((int) a.i[1]) {
                case Syscalls.F_DUPFD:
                case Syscalls.F_DUPFD_CLOEXEC:
                    int min = a.i[2] != (int) a.i[2] ? -1 : (int) a.i[2];
                    return ft.dupMin(fd, min, a.i[1] == Syscalls.F_DUPFD_CLOEXEC);
                case Syscalls.F_GETFL:
                    return fp.flags();
                case Syscalls.F_SETFL:
                    int settable = KFile.O_NONBLOCK | KFile.O_APPEND;
                    fp.setFlags((fp.flags() & ~settable) | ((int) a.i[2] & settable));
                    return 0;
                case Syscalls.F_GETFD:
                    return ft.fdFlags(fd);
                case Syscalls.F_SETFD:
                    ft.setFdFlags(fd, (int) a.i[2]);
                    return 0;
                case Fcntl.F_GETLK:
                case Fcntl.F_SETLK:
                case Fcntl.F_SETLKW:
                    if (!(a.o[2] instanceof Flock fl)) {
                        throw new ErrnoException(Errno.EFAULT, "no flock");
                    }
                    a.result = fp.ops().advlock(fp, l.proc(), (int) a.i[1], fl);
                    return 0;
                default:
                    throw new ErrnoException(Errno.EINVAL, "fcntl command " + a.i[1]);
            }
        } finally {
            ft.put(fp);
        }
    }

    private static long poll(Kernel k, Lwp l, SyscallArgs a) throws ErrnoException {
        if (!(a.o[0] instanceof PollFd[] fds)) {
            throw new ErrnoException(Errno.EFAULT, "no pollfd array");
        }
        long timeoutMs = a.i[1];
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE
                : k.hypercall().clock().monotonicNanos() + timeoutMs * 1_000_000L;
        SelInfo.Waiter w = l.pollWaiter();
        FileTable ft = l.proc().files();
        for (;;) {
            w.arm();
            int ready = 0;
            boolean mayBlock = timeoutMs != 0;
            for (PollFd p : fds) {
                p.revents = 0;
                if (p.fd < 0) {
                    continue;
                }
                KFile fp;
                try {
                    fp = ft.get(p.fd);
                } catch (ErrnoException e) {
                    p.revents = Poll.POLLNVAL;
                    ready++;
                    continue;
                }
                try {
                    p.revents = fp.ops().poll(fp, p.events, mayBlock && ready == 0 ? w : null);
                } finally {
                    ft.put(fp);
                }
                if (p.revents != 0) {
                    ready++;
                }
            }
            if (ready > 0 || timeoutMs == 0) {
                return ready;
            }
            if (l.killed()) {
                throw new ErrnoException(Errno.EINTR);
            }
            int depth = k.scheduler().sleep(l);
            boolean woken;
            try {
                woken = w.sleep(deadline, l);
            } finally {
                k.scheduler().wake(l, depth);
            }
            if (l.killed()) {
                throw new ErrnoException(Errno.EINTR);
            }
            if (!woken && k.hypercall().clock().monotonicNanos() >= deadline) {
                return 0;
            }
        }
    }

    /**
     * The name argument of {@code __sysctl} or {@code modctl}: a remote client may put anything in the
     * slot, and what is not a string is EFAULT, as a bad pointer is.
     */
    private static String name(SyscallArgs a, String what) throws ErrnoException {
        if (!(a.o[1] instanceof String name)) {
            throw new ErrnoException(Errno.EFAULT, a.o[1] == null ? "no " + what
                    : "the " + what + " is a " + a.o[1].getClass().getSimpleName() + ", not a string");
        }
        return name;
    }

    private static long sysctl(Kernel k, Lwp l, SyscallArgs a) throws ErrnoException {
        String name = name(a, "sysctl name");
        switch ((int) a.i[0]) {
            case SYSCTL_GET -> {
                if (a.o[3] != null && !(a.o[3] instanceof ByteBuffer)) {
                    throw new ErrnoException(Errno.EFAULT, "the old value's buffer is not a buffer");
                }
                if (a.i[2] < 0 || a.i[2] > Integer.MAX_VALUE) {
                    throw new ErrnoException(Errno.EINVAL, "element size " + a.i[2]);
                }
                return k.sysctl().get(name, (int) a.i[2], (ByteBuffer) a.o[3]);
            }
            case SYSCTL_READ -> a.result = k.sysctl().read(name);
            case SYSCTL_WRITE -> {
                if (!(a.o[2] instanceof String v)) {
                    throw new ErrnoException(Errno.EFAULT, "no sysctl value");
                }
                a.result = k.sysctl().write(name, v, l.proc().cred());
            }
            case SYSCTL_LIST -> {
                List<SysctlEntry> out = new ArrayList<>();
                for (SysctlNode n : k.sysctl().list(name)) {
                    out.add(new SysctlEntry(n.fullName(), n.type(), n.format(), n.writable(), n.description()));
                }
                a.result = out;
            }
            default -> throw new ErrnoException(Errno.EINVAL, "sysctl op " + a.i[0]);
        }
        return 0;
    }

    private static long modctl(Kernel k, Lwp l, SyscallArgs a) throws ErrnoException {
        int op = (int) a.i[0];
        if (op == MODCTL_STAT) {
            a.result = k.modules().stat();
            return 0;
        }
        if (!l.proc().cred().isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may load or unload modules");
        }
        String name = name(a, "module name");
        if (op == MODCTL_LOAD) {
            k.modules().load(name);
        } else if (op == MODCTL_UNLOAD) {
            k.modules().unload(name);
        } else {
            throw new ErrnoException(Errno.EINVAL, "modctl op " + op);
        }
        return 0;
    }
}
