package io.jrump.rumpnio;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.common.util.concurrent.Uninterruptibles;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.SysctlEntry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A {@link Syscalls} that runs every call of another one where the caller's thread cannot disturb it.
 *
 * <p>With {@linkplain #isolated isolation}, each call runs on a worker thread of its own pool while the
 * caller waits without being interruptible. That is what a remote kernel needs: the client library's
 * connection is a JDK channel, and a JDK channel is closed when a thread using it is interrupted, so an
 * interrupt aimed at one rump channel's blocked reader (which NIO semantics turn into that channel's
 * close) would otherwise end the whole connection and every rump socket with it. The hop costs a
 * thread switch per call, small beside the remote round trip.
 *
 * <p>Either way the calls run with {@link RumpSelectorProvider#hostChannels} set, so that code a call
 * reaches (the client library's own connection, the {@code sockin} component's host sockets) gets the
 * JDK's channels even where this provider is the JVM's default.
 */
final class GuardedSyscalls implements Syscalls {
    private final Syscalls target;
    private final ExecutorService workers;

    private GuardedSyscalls(Syscalls target, ExecutorService workers) {
        this.target = target;
        this.workers = workers;
    }

    /** Calls run on worker threads; see the class comment. */
    static GuardedSyscalls isolated(Syscalls target, String name) {
        ExecutorService pool = Executors.newCachedThreadPool(new ThreadFactoryBuilder().setDaemon(true)
                .setNameFormat("rumpnio " + name + " caller %d").setThreadFactory(r -> new Thread(() -> {
                    RumpSelectorProvider.hostChannels(true);
                    r.run();
                })).build());
        return new GuardedSyscalls(target, pool);
    }

    /** Calls run on the caller's thread, with host channels for whatever they open. */
    static GuardedSyscalls hostChannels(Syscalls target) {
        return new GuardedSyscalls(target, null);
    }

    Syscalls target() {
        return target;
    }

    void shutdown() {
        if (workers != null) {
            workers.shutdown();
        }
    }

    private interface Call<T> {
        T run() throws ErrnoException;
    }

    private <T> T run(Call<T> c) throws ErrnoException {
        if (workers == null) {
            boolean was = RumpSelectorProvider.hostChannels(true);
            try {
                return c.run();
            } finally {
                RumpSelectorProvider.hostChannels(was);
            }
        }
        Future<T> f = workers.submit(c::run);
        try {
            return Uninterruptibles.getUninterruptibly(f);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ErrnoException ee) {
                throw ee;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public int getpid() throws ErrnoException {
        return run(() -> target.getpid());
    }

    @Override
    public int getppid() throws ErrnoException {
        return run(() -> target.getppid());
    }

    @Override
    public int getuid() throws ErrnoException {
        return run(() -> target.getuid());
    }

    @Override
    public int geteuid() throws ErrnoException {
        return run(() -> target.geteuid());
    }

    @Override
    public int getgid() throws ErrnoException {
        return run(() -> target.getgid());
    }

    @Override
    public int getegid() throws ErrnoException {
        return run(() -> target.getegid());
    }

    @Override
    public int read(int fd, ByteBuffer dst) throws ErrnoException {
        return run(() -> target.read(fd, dst));
    }

    @Override
    public int write(int fd, ByteBuffer src) throws ErrnoException {
        return run(() -> target.write(fd, src));
    }

    @Override
    public void close(int fd) throws ErrnoException {
        run(() -> {
            target.close(fd);
            return null;
        });
    }

    @Override
    public int dup(int fd) throws ErrnoException {
        return run(() -> target.dup(fd));
    }

    @Override
    public int dup2(int from, int to) throws ErrnoException {
        return run(() -> target.dup2(from, to));
    }

    @Override
    public long ioctl(int fd, long cmd, Object arg) throws ErrnoException {
        return run(() -> target.ioctl(fd, cmd, arg));
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        return run(() -> target.fcntl(fd, cmd, arg));
    }

    @Override
    public int poll(PollFd[] fds, int timeoutMs) throws ErrnoException {
        return run(() -> target.poll(fds, timeoutMs));
    }

    @Override
    public String sysctlRead(String name) throws ErrnoException {
        return run(() -> target.sysctlRead(name));
    }

    @Override
    public String sysctlWrite(String name, String value) throws ErrnoException {
        return run(() -> target.sysctlWrite(name, value));
    }

    @Override
    public List<SysctlEntry> sysctlList(String prefix) throws ErrnoException {
        return run(() -> target.sysctlList(prefix));
    }

    @Override
    public void modload(String name) throws ErrnoException {
        run(() -> {
            target.modload(name);
            return null;
        });
    }

    @Override
    public void modunload(String name) throws ErrnoException {
        run(() -> {
            target.modunload(name);
            return null;
        });
    }

    @Override
    public List<ModStat> modstat() throws ErrnoException {
        return run(() -> target.modstat());
    }

    @Override
    public void reboot(int howto) throws ErrnoException {
        run(() -> {
            target.reboot(howto);
            return null;
        });
    }

    @Override
    public int socket(int domain, int type, int protocol) throws ErrnoException {
        return run(() -> target.socket(domain, type, protocol));
    }

    @Override
    public void bind(int fd, SockAddr addr) throws ErrnoException {
        run(() -> {
            target.bind(fd, addr);
            return null;
        });
    }

    @Override
    public void connect(int fd, SockAddr addr) throws ErrnoException {
        run(() -> {
            target.connect(fd, addr);
            return null;
        });
    }

    @Override
    public void listen(int fd, int backlog) throws ErrnoException {
        run(() -> {
            target.listen(fd, backlog);
            return null;
        });
    }

    @Override
    public int accept(int fd, SockAddr from) throws ErrnoException {
        return run(() -> target.accept(fd, from));
    }

    @Override
    public int sendto(int fd, ByteBuffer src, int flags, SockAddr to) throws ErrnoException {
        return run(() -> target.sendto(fd, src, flags, to));
    }

    @Override
    public int recvfrom(int fd, ByteBuffer dst, int flags, SockAddr from) throws ErrnoException {
        return run(() -> target.recvfrom(fd, dst, flags, from));
    }

    @Override
    public void shutdown(int fd, int how) throws ErrnoException {
        run(() -> {
            target.shutdown(fd, how);
            return null;
        });
    }

    @Override
    public void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        run(() -> {
            target.setsockopt(fd, level, name, value);
            return null;
        });
    }

    @Override
    public int getsockopt(int fd, int level, int name) throws ErrnoException {
        return run(() -> target.getsockopt(fd, level, name));
    }

    @Override
    public void getsockname(int fd, SockAddr out) throws ErrnoException {
        run(() -> {
            target.getsockname(fd, out);
            return null;
        });
    }

    @Override
    public void getpeername(int fd, SockAddr out) throws ErrnoException {
        run(() -> {
            target.getpeername(fd, out);
            return null;
        });
    }

    @Override
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        return run(() -> target.syscall(number, args));
    }
}
