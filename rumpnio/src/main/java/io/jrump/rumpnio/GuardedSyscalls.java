package io.jrump.rumpnio;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.common.util.concurrent.Uninterruptibles;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.ForwardingSyscalls;
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
final class GuardedSyscalls extends ForwardingSyscalls {
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

    @Override
    protected Syscalls target() {
        return target;
    }

    void shutdown() {
        if (workers != null) {
            workers.shutdown();
        }
    }

    @Override
    protected <T> T around(Call<T> c) throws ErrnoException {
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
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        return around(() -> target.syscall(number, args));
    }
}
