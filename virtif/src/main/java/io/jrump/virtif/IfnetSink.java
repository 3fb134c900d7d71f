package io.jrump.virtif;

import io.jrump.kern.intr.Softints;
import io.jrump.kern.sched.Cpu;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Scheduler;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import java.util.ArrayList;

/**
 * An interface's receive interrupt: every frame a link delivers becomes one mbuf chain with its offload
 * flags and goes to the interface's one entry point, {@link Ifnet#input(Mbuf)}. The interface's
 * softints (its input, and through it IP and TCP input) run at the tail of each burst a receive thread
 * ends ({@link #endOfBurst}, {@link Softints#interruptTail}), on that thread, so a frame reaches its socket
 * without waking a softint thread; a link that never ends a burst (a hub, a bus reader, the emulator's
 * timer) leaves them to CPU 0's softint thread, except what a sender's system call hands it on an in-memory wire
 * ({@link #receive(RxFrame)}).
 */
final class IfnetSink implements FrameSink {
    private final Ifnet ifp;
    private volatile Softints.InterruptTail tail;
    /** Per sending thread of another kernel, the tail its system call's return runs ({@link #receive(RxFrame)}). */
    private final ThreadLocal<Softints.InterruptTail> senderTail = new ThreadLocal<>();
    /** Every tail {@link #senderTail} made, for {@link #closeTail}; guarded by itself. */
    private final ArrayList<Softints.InterruptTail> senderTails = new ArrayList<>();
    private boolean closed;

    IfnetSink(Ifnet ifp) {
        this.ifp = ifp;
    }

    /** This interface's kernel's lwp on the calling thread, or null. */
    Lwp curlwp() {
        return ifp.interfaces().kernel().curlwp();
    }

    /**
     * A burst that ended with the link empty is finished here, on the receive thread; one cut short with
     * frames waiting goes to a softint thread, so that reading the next burst and the protocols' work on
     * this one run side by side (a stream of wire-sized frames keeps bursts full).
     */
    @Override
    public void endOfBurst(boolean more) {
        Softints.InterruptTail t = tail;
        if (t == null || !t.isOwner()) {
            // the first burst, or a new receive thread after the link changed
            if (t != null) {
                t.close();
            }
            t = tail = ifp.interfaces().kernel().softints().interruptTail("rx " + ifp.name());
        }
        if (more) {
            t.defer();
        } else {
            t.run();
        }
    }

    /** After the receive thread has ended: what its tail still has pending goes to a softint thread. */
    void closeTail() {
        Softints.InterruptTail t = tail;
        if (t != null) {
            t.close();
            tail = null;
        }
        synchronized (senderTails) {
            closed = true;
            for (Softints.InterruptTail s : senderTails) {
                s.close();
            }
            senderTails.clear();
        }
    }

    /**
     * The calling thread's sender tail, made on its first frame (closing those of threads that ended); null
     * once closed.
     */
    private Softints.InterruptTail senderTail() {
        Softints.InterruptTail t = senderTail.get();
        if (t != null && !t.isClosed()) {
            return t;
        }
        synchronized (senderTails) {
            if (closed) {
                return null;
            }
            senderTails.removeIf(s -> {
                if (s.ownerAlive()) {
                    return false;
                }
                s.close();
                return true;
            });
            String name = "tx " + ifp.name() + " " + Thread.currentThread().getName();
            t = ifp.interfaces().kernel().softints().senderTail(name);
            senderTails.add(t);
        }
        senderTail.set(t);
        return t;
    }

    /** Partial TCP checksums and large TCP segments whole: the interface's protocols take both. */
    @Override
    public int offloads() {
        return CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4;
    }

    /**
     * The frame as an mbuf chain of the interface's pool (the sender's clusters lent, a lent buffer copied
     * once) with its offload flags, into {@link Ifnet#input}; a frame that finds no mbufs is a counted drop, and
     * one for a full LRP channel is dropped before any mbuf is made ({@link Ifnet#discardEarly}).
     *
     * <p>A frame another kernel's system call sends on an in-memory wire arrives on the sender's thread, deep
     * in that kernel's output with its socket lock held, where this kernel's input must not run (two kernels
     * sending to each other would each hold a lock the other's input needs). Its input softint is kept on
     * the thread's sender tail instead, which the sender runs once its system call has returned
     * ({@link Lwp#runAtReturn}): the frame reaches its socket on the sender's thread, and the receiver's
     * softint thread is not woken, so a request and its answer each cost the one wakeup of the thread that
     * reads them, as over Linux's loopback. That is for one exchange between two otherwise idle kernels:
     * <ul>
     *   <li>frames of wire size only: a large TCP segment is a stream's, whose receive work is better done
     *       beside the sender than by it (two threads on two CPUs);</li>
     *   <li>only while this kernel is idle (no CPU held, no softint pending): a busy softint thread takes a
     *       frame at no wakeup's cost, and senders' tails must not queue on a busy kernel's CPUs and softnet
     *       lock (eight HttpServer clients' tails on the server kernel cost bench/run nio's server a third
     *       of its requests);</li>
     *   <li>only while the sender's own kernel has no other CPU held: a sender whose kernel is busy is one stage of a pipeline, such as a server
     *       thread that answers many connections while their requests keep arriving, and what it does next
     *       would wait behind this kernel's input; the receiver's softint thread does that input beside it
     *       instead, and takes the sender's next frames in the same run. (The JDK HttpServer's one
     *       dispatcher thread, running the client kernel's input at the return of each of its writes, did
     *       that input for every connection and woke each client for the headers and again for the body:
     *       about 2.5 sleeps and 1.3 reads per request on bench/run nio's clients, against 1.5 and 1.1 with
     *       the client kernel's softint thread, and fewer requests per second.)</li>
     * </ul>
     * Frames sent from anywhere else (a softint, a timer) go to the softint thread as before.
     */
    @Override
    public void receive(RxFrame f) {
        byte[] head = f.headArray();
        if (head != null && ifp.discardEarly(head, f.headOffset(), f.headLength(), f.length())) {
            return;
        }
        Mbuf m = f.toMbufs(ifp.mbufs());
        if (m == null) {
            ifp.countInputDrop();
            return;
        }
        FragmentSum.apply(m, ifp.offloadStats());
        Lwp sender = f.sender();
        if (sender != null && (f.csumFlags() & CsumFlags.M_CSUM_TSOv4) == 0 && sender.inSyscall()
                && curlwp() == null && ifp.interfaces().kernel().scheduler().idle() && alone(sender)) {
            Softints.InterruptTail t = senderTail();
            if (t != null && sender.runAtReturn(t)) {
                Object prev = t.beginCollect();
                try {
                    ifp.input(m);
                } finally {
                    t.endCollect(prev);
                }
                return;
            }
        }
        ifp.input(m);
    }

    /**
     * Whether {@code l}'s kernel holds no CPU but {@code l}'s. Its softints do not count: a sender blasting
     * datagrams keeps its own kernel's softints busy (its output's work), and sending each of its frames to the
     * receiver's softint thread instead cost bench/run udp-pps three quarters of its 1472-byte datagrams
     * (295k/s to 74k/s).
     */
    private static boolean alone(Lwp l) {
        Scheduler sched = l.proc().kernel().scheduler();
        for (int i = 0; i < sched.ncpu(); i++) {
            Cpu c = sched.cpu(i);
            Lwp owner = c.owner();
            if (owner != null && owner != l) {
                return false;
            }
        }
        return true;
    }

    /** Not called by links (this sink takes offload); a wire-ready frame, copied into mbufs. */
    @Override
    public void receive(byte[] f, int off, int len) {
        enter(MbufCopy.fromBytes(ifp.mbufs(), f, off, len));
    }

    private void enter(Mbuf m) {
        if (m == null) {
            ifp.countInputDrop();
        } else {
            FragmentSum.apply(m, ifp.offloadStats());
            ifp.input(m);
        }
    }
}
