package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.SysctlEntry;
import static io.jrump.kern.syscall.SyscallNumbers.*;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@link Syscalls} for one process, entering the kernel the rump way: the calling host thread gets an
 * lwp of the process (kept per thread and reused), is bound to it through the hypercall layer, takes
 * a virtual CPU, dispatches through the numbered table, and gives everything back on return.
 */
public final class ProcSyscalls implements Syscalls {
    private final Kernel kernel;
    private final Proc proc;
    private final ThreadLocal<Lwp> lwps = new ThreadLocal<>();

    public ProcSyscalls(Kernel kernel, Proc proc) {
        this.kernel = kernel;
        this.proc = proc;
    }

    private Lwp enter() {
        Lwp l = kernel.curlwp();
        if (l == null || l.proc() != proc) {
            l = lwps.get();
            if (l == null) {
                l = proc.newLwp(Thread.currentThread().getName());
                lwps.set(l);
            }
        }
        if (l.cpu() != null) {
            kernel.scheduler().schedule(l, null);
            return l;
        }
        l.args.clear();
        l.saved = kernel.hypercall().threads().curLwp();
        kernel.hypercall().threads().setCurLwp(l);
        kernel.scheduler().schedule(l, null);
        return l;
    }

    private void leave(Lwp l) {
        if (l.nesting() > 0) {
            kernel.scheduler().unschedule(l);
            return;
        }
        kernel.scheduler().unschedule(l);
        Object prev = l.saved;
        l.saved = null;
        kernel.hypercall().threads().setCurLwp(prev);
    }

    @Override
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        Lwp l = enter();
        try {
            return kernel.syscallTable().invoke(number, l, args);
        } finally {
            leave(l);
        }
    }

    private long call(int number, Lwp l) throws ErrnoException {
        try {
            return kernel.syscallTable().invoke(number, l, l.args);
        } finally {
            leave(l);
        }
    }

    private long call0(int number) throws ErrnoException {
        return call(number, enter());
    }

    @Override
    public int getpid() throws ErrnoException {
        return (int) call0(SYS_getpid);
    }

    @Override
    public int getppid() throws ErrnoException {
        return (int) call0(SYS_getppid);
    }

    @Override
    public int getuid() throws ErrnoException {
        return (int) call0(SYS_getuid);
    }

    @Override
    public int geteuid() throws ErrnoException {
        return (int) call0(SYS_geteuid);
    }

    @Override
    public int getgid() throws ErrnoException {
        return (int) call0(SYS_getgid);
    }

    @Override
    public int getegid() throws ErrnoException {
        return (int) call0(SYS_getegid);
    }

    @Override
    public int read(int fd, ByteBuffer dst) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = dst;
        return (int) call(SYS_read, l);
    }

    @Override
    public int write(int fd, ByteBuffer src) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = src;
        return (int) call(SYS_write, l);
    }

    @Override
    public void close(int fd) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        call(SYS_close, l);
    }

    @Override
    public int dup(int fd) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        return (int) call(SYS_dup, l);
    }

    @Override
    public int dup2(int from, int to) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = from;
        l.args.i[1] = to;
        return (int) call(SYS_dup2, l);
    }

    @Override
    public long ioctl(int fd, long cmd, Object arg) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = cmd;
        l.args.o[2] = arg;
        return call(SYS_ioctl, l);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = cmd;
        l.args.i[2] = arg;
        return (int) call(SYS_fcntl, l);
    }

    @Override
    public int poll(PollFd[] fds, int timeoutMs) throws ErrnoException {
        Lwp l = enter();
        l.args.o[0] = fds;
        l.args.i[1] = timeoutMs;
        return (int) call(SYS_poll, l);
    }

    @Override
    public String sysctlRead(String name) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = SYSCTL_READ;
        l.args.o[1] = name;
        call(SYS___sysctl, l);
        return (String) l.args.result;
    }

    @Override
    public String sysctlWrite(String name, String value) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = SYSCTL_WRITE;
        l.args.o[1] = name;
        l.args.o[2] = value;
        call(SYS___sysctl, l);
        return (String) l.args.result;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<SysctlEntry> sysctlList(String prefix) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = SYSCTL_LIST;
        l.args.o[1] = prefix;
        call(SYS___sysctl, l);
        return (List<SysctlEntry>) l.args.result;
    }

    @Override
    public void modload(String name) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = MODCTL_LOAD;
        l.args.o[1] = name;
        call(SYS_modctl, l);
    }

    @Override
    public void modunload(String name) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = MODCTL_UNLOAD;
        l.args.o[1] = name;
        call(SYS_modctl, l);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<ModStat> modstat() throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = MODCTL_STAT;
        call(SYS_modctl, l);
        return (List<ModStat>) l.args.result;
    }

    @Override
    public void reboot(int howto) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = howto;
        call(SYS_reboot, l);
    }

    @Override
    public int socket(int domain, int type, int protocol) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = domain;
        l.args.i[1] = type;
        l.args.i[2] = protocol;
        return (int) call(SYS___socket30, l);
    }

    @Override
    public void bind(int fd, SockAddr addr) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = addr;
        call(SYS_bind, l);
    }

    @Override
    public void connect(int fd, SockAddr addr) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = addr;
        call(SYS_connect, l);
    }

    @Override
    public void listen(int fd, int backlog) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = backlog;
        call(SYS_listen, l);
    }

    @Override
    public int accept(int fd, SockAddr from) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = from;
        return (int) call(SYS_accept, l);
    }

    @Override
    public int sendto(int fd, ByteBuffer src, int flags, SockAddr to) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = src;
        l.args.i[2] = flags;
        l.args.o[3] = to;
        return (int) call(SYS_sendto, l);
    }

    @Override
    public int recvfrom(int fd, ByteBuffer dst, int flags, SockAddr from) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = dst;
        l.args.i[2] = flags;
        l.args.o[3] = from;
        return (int) call(SYS_recvfrom, l);
    }

    @Override
    public void shutdown(int fd, int how) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = how;
        call(SYS_shutdown, l);
    }

    @Override
    public void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = level;
        l.args.i[2] = name;
        l.args.i[3] = value;
        call(SYS_setsockopt, l);
    }

    @Override
    public int getsockopt(int fd, int level, int name) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.i[1] = level;
        l.args.i[2] = name;
        return (int) call(SYS_getsockopt, l);
    }

    @Override
    public void getsockname(int fd, SockAddr out) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = out;
        call(SYS_getsockname, l);
    }

    @Override
    public void getpeername(int fd, SockAddr out) throws ErrnoException {
        Lwp l = enter();
        l.args.i[0] = fd;
        l.args.o[1] = out;
        call(SYS_getpeername, l);
    }
}
