package io.jrump.sockin;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.KThread;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Scheduler;
import io.jrump.rumpnet.socket.Socket;
import java.util.concurrent.TimeUnit;

/**
 * sockin's one receiver thread ({@code sockin_receiver} in NetBSD's {@code sockin.c}): a kernel
 * thread that waits for all host sockets of the kernel at once and, when one is ready, does the
 * protocol's input work for it (data into the receive buffer, a connection completed or accepted, an
 * error noted, queued data sent), so that no rump lwp needs a host thread of its own and no socket
 * needs one either.
 *
 * <p>While it waits in the host it holds no virtual CPU, as a rump kernel thread blocked in a
 * hypercall does not ({@code rumpuser} calls unschedule around a blocking host call): a kernel with
 * one CPU still runs its lwps. It takes a CPU again before it touches kernel state, so that socket
 * upcalls it fires run in a kernel context as those of the network softint do; when a socket has no
 * upcall, it gives the CPU back just before it wakes the socket's readers ({@link #wakeReaders}), so
 * that the reader it wakes does not find the CPU taken.
 */
final class SockinReceiver implements SockinUser.Ready {
    /** How long to wait before retrying streams that found the mbuf pool empty. */
    private static final long STARVED_RETRY_MS = 10;

    private final Sockin sockin;
    private final Kernel kernel;
    private final Scheduler sched;
    private volatile boolean stopping;
    private KThread thread;
    private Lwp lwp;
    private boolean onCpu;

    SockinReceiver(Sockin sockin) {
        this.sockin = sockin;
        this.kernel = sockin.kernel;
        this.sched = kernel.scheduler();
    }

    void start() {
        thread = kernel.createKThread("sockin receiver", this::run);
    }

    private void run() {
        lwp = kernel.curlwp();
        onCpu = true;
        while (!stopping && !kernel.halting()) {
            offCpu();
            try {
                sockin.user.poll(this, sockin.starved.isEmpty() ? 0 : STARVED_RETRY_MS);
                sockin.countReceiverRound();
            } catch (ErrnoException e) {
                cpu();
                kernel.log("sockin: host poll failed: " + e.getMessage());
                break;
            }
            if (!sockin.starved.isEmpty()) {
                cpu();
                for (SockinPcb p : sockin.starved) {
                    sockin.stream.retryStarved(p);
                }
            }
        }
        cpu();
    }

    private void offCpu() {
        if (onCpu) {
            sched.unschedule(lwp);
            onCpu = false;
        }
    }

    private void cpu() {
        if (!onCpu) {
            sched.schedule(lwp, null);
            onCpu = true;
        }
    }

    @Override
    public void ready(SockinUser.Handle h, int readyOps) {
        if (stopping) {
            return;
        }
        if (h.owner instanceof SockinPcb p) {
            try {
                if (h.isStream()) {
                    sockin.stream.input(p, h, readyOps);
                } else {
                    sockin.dgram.input(p, h, readyOps);
                }
            } catch (RuntimeException e) {
                // one socket's failure must not end input for all the others
                kernel.log("sockin: input on " + p.so + " failed: " + e);
            }
        }
        // give the CPU back at once: the lwp just woken may need it, and on a one-CPU kernel it would
        // otherwise wait for this thread to finish its round and go back to the host
        offCpu();
    }

    /**
     * Takes a CPU, then {@code so}'s lock, for input work on {@code so}. In that order because an lwp
     * holds its CPU for the whole system call but the socket lock only in parts of it: the receiver
     * waits for the CPU on the scheduler (which allocates nothing), and by the time it has one the
     * lock is usually free or freed within {@code mutex_enter}'s spin.
     */
    void enter(Socket so) {
        cpu();
        so.lock().enter();
    }

    /**
     * {@code sorwakeup} for data the receiver appended. Without an upcall to run, the CPU is given back
     * first: the reader it wakes needs the socket lock and a CPU, and finding the CPU still held would
     * cost it a second sleep and wakeup on the scheduler. An upcall runs with the CPU held, as the
     * network softint would run it.
     */
    void wakeReaders(Socket so) {
        if (so.upcall() == null) {
            offCpu();
        }
        so.sorwakeup();
    }

    /** Ends the thread and waits for it, at most five seconds. */
    void stop() {
        stopping = true;
        sockin.user.wakeup();
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
