package io.jrump.bench;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sched.UserCpu;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving application of {@code bench/run lrp}'s overload experiment (seed 003's UDP sink): a process
 * of the receiving kernel that takes datagrams from one socket and spends a fixed amount of CPU on each,
 * holding the kernel's virtual CPU all the while through {@link UserCpu}, so that its work competes with
 * protocol processing for the same CPU, as a program's does on a real host. The work checks preemption
 * points every few microseconds and counts only the time it held the CPU.
 */
final class LrpSink {
    private final Proc proc;
    private final Syscalls sys;
    private final int fd;
    private final long workNanos;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private Thread thread;

    LrpSink(Kernel k, String name, String addr, int port, long workNanos) throws ErrnoException {
        this.proc = k.createProcess(name, Cred.ROOT);
        this.sys = proc.syscalls();
        this.workNanos = workNanos;
        this.fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 64 << 10);
        sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 50);
        sys.bind(fd, SockAddr.in(addr, port));
    }

    Proc proc() {
        return proc;
    }

    long delivered() {
        return delivered.get();
    }

    void start() {
        thread = new Thread(this::loop, proc.name());
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        stop.set(true);
        thread.join(5000);
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        SockAddr from = new SockAddr();
        UserCpu u = proc.userCpu();
        try (UserCpu cpu = u.enter()) {
            while (!stop.get()) {
                buf.clear();
                try {
                    sys.recvfrom(fd, buf, 0, from);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EAGAIN) {
                        continue;
                    }
                    System.err.println(proc.name() + ": " + e.getMessage());
                    return;
                }
                work(cpu, workNanos);
                delivered.incrementAndGet();
            }
        }
    }

    /** Spends {@code nanos} of time holding the CPU, giving it up at preemption points when asked. */
    static void work(UserCpu cpu, long nanos) {
        long left = nanos;
        long t = System.nanoTime();
        while (left > 0) {
            if (cpu.preemptionPoint()) {
                t = System.nanoTime();
                continue;
            }
            long n = System.nanoTime();
            left -= n - t;
            t = n;
        }
    }
}
