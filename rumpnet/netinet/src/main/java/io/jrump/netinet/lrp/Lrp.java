package io.jrump.netinet.lrp;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.KThread;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sched.ProtoCharge;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.EarlyDemux;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.SoChannel;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lazy Receiver Processing (Druschel and Banga, seed 003) as a mode of the receive path. With
 * {@code net.inet.lrp.enable} at 0 (the default) a frame takes the classic BSD path: the interface's input
 * softint does IP and transport input for every frame as it arrives, at a precedence over every process,
 * which is what lets a flood livelock the host. At 1, this class is the interfaces' {@link EarlyDemux}: in
 * the driver's receive context it reads the frame's IP and transport headers, finds the socket, and puts
 * the frame on the socket's {@link SoChannel}, bounded by {@code net.inet.lrp.channel_len}, or drops it
 * there, counted, before any protocol work is spent on it. Frames for no socket (ARP, ICMP, fragments,
 * broadcasts, unknown ports) take the eager path.
 *
 * <p>A channel is processed in the receiver's context, under the kernel's softnet lock as all input is
 * ({@link Ifnet#inputDeferred}): a datagram socket's by the process that reads it, inside {@code recv} on
 * its own lwp ({@link #receiverRun}), which is woken only when its channel goes from empty to non-empty; a
 * stream socket's (and a datagram socket a kernel consumer serves by upcall) by asynchronous protocol
 * processing, a kernel thread of the owning process that the scheduler runs at that process's priority and
 * charges as its protocol time ({@link Kernel#createKThread(String, Proc, Runnable)}), so that ACKs flow
 * while the application is not in {@code recv}, and a socket whose owner floods itself decays, falls behind
 * and drops at its channel. A listening socket whose backlog is full is not processed until {@code accept} makes room, so
 * that further SYNs drop at its channel.
 *
 * <p>The mode can change at run time under traffic without losing a frame: a channel is processed until
 * empty whatever the mode, so frames queued before a switch to eager still reach their socket (possibly
 * after later frames that took the eager path, a reordering that UDP allows and TCP repairs).
 */
public final class Lrp implements EarlyDemux {
    /** Frames asynchronous processing takes from one socket before it serves its owner's other sockets. */
    private static final int APP_BATCH = 16;
    /** How often asynchronous processing looks at parked listeners, should an {@code accept} hook be missed. */
    private static final long PARK_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Inet inet;
    private final Kernel kernel;
    private final Interfaces ifs;
    private final MbufPool pool;
    private final SysctlNode enable;
    private final SysctlNode channelLen;
    private volatile int limit;
    private final Counters stats = LrpStat.create();
    private final KMutex appLock;
    /** Each owning process's asynchronous processing, by pid; guarded by appLock. */
    private final HashMap<Integer, App> apps = new HashMap<>();
    private boolean stopping;
    private final KCondVar idleCv;

    public Lrp(Inet inet) {
        this.inet = inet;
        this.kernel = inet.kernel();
        this.ifs = inet.interfaces();
        this.pool = inet.mbufs();
        this.appLock = kernel.newMutex();
        this.idleCv = kernel.newCondVar();
        Sysctl s = kernel.sysctl();
        this.limit = 128;
        this.channelLen = s.createInt("net.inet.lrp.channel_len",
                "Frames a socket's LRP channel holds before the interface drops for it (seed 003)", limit,
                SysctlNode.READWRITE, v -> {
                    if (v < 1 || v > 65536) {
                        return false;
                    }
                    limit = (int) v;
                    return true;
                });
        this.enable = s.createInt("net.inet.lrp.enable",
                "Lazy Receiver Processing: 0 eager (BSD), 1 lazy (early demultiplexing, processing in the receiver)",
                0, SysctlNode.READWRITE, v -> {
                    if (v != 0 && v != 1) {
                        return false;
                    }
                    setEnabled(v == 1);
                    return true;
                });
        stats.publish(s, "net.inet.lrp.stats");
        s.createTable("net.inet.lrp.sockets",
                "Sockets with an LRP channel: proto laddr lport faddr fport queued drops waiting", this::socketTable);
    }

    /** Asynchronous processing threads start on demand, one per process that owns a stream socket. */
    public void start() {
    }

    /** Takes the demultiplexer out and ends the processing threads; at halt. */
    public void stop() {
        ifs.setEarlyDemux(null);
        ArrayList<KThread> threads = new ArrayList<>();
        appLock.enter();
        try {
            stopping = true;
            for (App a : apps.values()) {
                a.cv.broadcast();
                if (a.thread != null) {
                    threads.add(a.thread);
                }
            }
        } finally {
            appLock.exit();
        }
        for (KThread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public Counters stats() {
        return stats;
    }

    public boolean enabled() {
        return enable.intValue() == 1;
    }

    /** What a write of {@code net.inet.lrp.enable} does: the eager path consults no demultiplexer at all. */
    private void setEnabled(boolean on) {
        ifs.setEarlyDemux(on ? this : null);
    }

    // ---- early demultiplexing, in the driver's receive context ----

    @Override
    public boolean demux(Ifnet ifp, Mbuf m) {
        Socket so = classify(ifp, m);
        if (so == null) {
            return false;
        }
        int r = so.channel.enqueue(m, limit, pool);
        if (r == SoChannel.DROPPED) {
            stats.inc(LrpStat.CHANNEL_DROPS);
            return true;
        }
        stats.inc(LrpStat.QUEUED);
        if (r == SoChannel.FIRST) {
            notifyReceiver(so);
        }
        return true;
    }

    @Override
    public boolean discard(Ifnet ifp, byte[] b, int off, int len) {
        Socket so = classify(ifp, b, off, len);
        if (so == null || !so.channel.dropIfFull(limit)) {
            return false;
        }
        stats.inc(LrpStat.CHANNEL_DROPS);
        stats.inc(LrpStat.EARLY_DISCARDS);
        return true;
    }

    private Socket classify(Ifnet ifp, Mbuf m) {
        return classify(ifp, m.buf(), m.off(), m.len());
    }

    /**
     * The socket a frame is for, from its Ethernet, IPv4 and transport headers in {@code b[o, o + n)}, or null
     * for anything the eager path must see: not unicast to us, not IPv4, options that move the ports out of
     * the first mbuf, fragments, protocols other than TCP and UDP, no socket. No header is validated here:
     * the frame gets all of IP's checks when it is processed, so a damaged one costs its channel a slot at
     * worst.
     */
    private Socket classify(Ifnet ifp, byte[] b, int o, int n) {
        if (n < 14 + 20 + 4 || (b[o + 12] & 0xff) != 0x08 || b[o + 13] != 0x00) {
            return null;
        }
        if (ifp.type() != Ifnet.IFT_LOOP && macAt(b, o) != ifp.lladdr()) {
            return null;
        }
        int ip = o + 14;
        int vhl = b[ip] & 0xff;
        int hl = (vhl & 0x0f) << 2;
        if (vhl >> 4 != 4 || hl < 20 || 14 + hl + 4 > n) {
            return null;
        }
        if (((b[ip + 6] & 0x3f) | b[ip + 7]) != 0) {
            return null;
        }
        int proto = b[ip + 9] & 0xff;
        if (proto != 6 && proto != 17) {
            return null;
        }
        int src = intAt(b, ip + 12);
        int dst = intAt(b, ip + 16);
        int sport = (b[ip + hl] & 0xff) << 8 | b[ip + hl + 1] & 0xff;
        int dport = (b[ip + hl + 2] & 0xff) << 8 | b[ip + hl + 3] & 0xff;
        if (!inet.addrs().isLocal(dst)) {
            return null;
        }
        return proto == 17 ? inet.udp().demux(src, sport, dst, dport) : inet.tcp().demux(src, sport, dst, dport);
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | b[i + 3] & 0xff;
    }

    private static long macAt(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 6; k++) {
            v = v << 8 | b[i + k] & 0xff;
        }
        return v;
    }

    /**
     * The channel went from empty to non-empty: a socket served by upcall, or a stream socket nobody is
     * reading, goes to asynchronous processing; otherwise the reader (sleeping in {@code recv}, or
     * polling) is woken to do the work itself, which spares a stream reader a second thread's hand-off.
     */
    private void notifyReceiver(Socket so) {
        if (so.upcall() != null || so.type() == SocketDefs.SOCK_STREAM && !so.channel.readerWaiting()) {
            schedule(so);
            return;
        }
        // The demultiplexer may run on a thread that holds another socket's lock (a loopback send from
        // protocol processing), and two socket locks are never waited for at once: if the reader's lock is
        // busy, its process's APP thread does the wakeup instead (and, for a stream socket, the work).
        if (!so.lock().tryEnter()) {
            if (so.type() == SocketDefs.SOCK_STREAM) {
                schedule(so);
            } else {
                wakeLater(so);
            }
            return;
        }
        try {
            so.sorwakeup();
        } finally {
            so.lock().exit();
        }
    }

    // ---- processing in the receiver's context ----

    /**
     * Processes {@code so}'s channel on the calling lwp, which is the socket's reader inside {@code recv}
     * (or a poll or non-blocking read that found the buffer empty): at most {@code max} frames, under the
     * softnet lock, the time recorded as that process's protocol time. The caller holds no socket lock.
     * Returns the frames processed.
     */
    public int receiverRun(Socket so, int max) {
        Lwp l = kernel.curlwp();
        if (l == null) {
            return drain(so, max);
        }
        int n;
        try (ProtoCharge c = kernel.scheduler().chargeProto(l.proc())) {
            n = drain(so, max);
        }
        if (n > 0) {
            stats.add(LrpStat.IN_RECEIVER, n);
        }
        return n;
    }

    /**
     * Processes up to {@code max} frames of {@code so}'s channel, each under the softnet lock as all input
     * is, with a preemption point between frames so that a long channel does not keep the CPU from more
     * urgent work (the scheduler's rule).
     */
    /**
     * What a reader does in {@link io.jrump.rumpnet.socket.Protosw#rcvwait} and {@code rcvsync} when its
     * buffer is empty and its channel is not: processes the channel on its own lwp, a frame at a time, until
     * something is in the buffer or the channel is empty, the rest staying in the channel, where a flood is
     * dropped for free (a stream socket's rest goes to its APP thread, since ACKs must not wait for the
     * next {@code recv}). Called and returns with the socket lock held, which it lets go meanwhile (input
     * takes the softnet lock before any socket lock). A caller that already holds the softnet lock hands
     * the channel to asynchronous processing instead; returns whether it processed any frame.
     */
    public boolean processForReader(Socket so) {
        if (ifs.softnetLock().owned()) {
            schedule(so);
            return false;
        }
        int total = 0;
        so.lock().exit();
        try {
            while (so.rcv.cc() == 0 && !so.hasState(Socket.SS_CANTRCVMORE) && so.error() == 0) {
                int n = receiverRun(so, 1);
                if (n == 0) {
                    break;
                }
                total += n;
            }
        } finally {
            so.lock().enter();
        }
        if (so.type() == SocketDefs.SOCK_STREAM && !so.channel.isEmpty()) {
            // what the reader left (ACKs behind its data) must not wait for its next recv
            schedule(so);
        }
        return total > 0;
    }

    /**
     * A reader about to sleep in {@code recv} on a stream socket with an empty channel: the next frame
     * wakes it to process the channel itself rather than going to its process's APP thread. Returns what
     * {@link io.jrump.rumpnet.socket.SockBuf#await} returns.
     */
    public int readerSleep(Socket so, long deadlineNanos) {
        so.channel.setReaderWaiting(true);
        try {
            return so.rcv.await(deadlineNanos);
        } finally {
            so.channel.setReaderWaiting(false);
            if (!so.channel.isEmpty()) {
                // The wakeup may have been for other data: the reader then returns without looking at its
                // channel, and the segments there (ACKs its own writes wait for) go to its APP thread.
                schedule(so);
            }
        }
    }

    /** A listener LRP stops processing: its backlog exceeded, half-open requests counted ({@link io.jrump.netinet.tcp.Tcp#listenBacklogExceeded}). */
    private boolean listenerFull(Socket so) {
        return so.type() == SocketDefs.SOCK_STREAM && inet.tcp().listenBacklogExceeded(so);
    }

    private int drain(Socket so, int max) {
        KMutex softnet = ifs.softnetLock();
        int n = 0;
        while (n < max) {
            if (so.isListening() && listenerFull(so)) {
                break;
            }
            // Taken off the channel under the softnet lock, so that two processors of one channel (a stream
            // reader and its process's APP thread) keep the frames in order.
            softnet.enter();
            try {
                Mbuf m = so.channel.dequeue();
                if (m == null) {
                    break;
                }
                Ifnet ifp = ifs.byIndex(m.pkthdr().rcvif());
                if (ifp == null) {
                    pool.freeChain(m);
                    continue;
                }
                ifp.inputDeferred(m);
            } finally {
                softnet.exit();
            }
            n++;
            kernel.scheduler().preemptionPoint();
        }
        return n;
    }

    /**
     * Hands {@code so}'s channel to asynchronous processing, unless it is already queued or being worked;
     * from any context. The socket goes to its owner's processing thread, made on first use.
     */
    public void schedule(Socket so) {
        if (!so.channel.claim()) {
            return;
        }
        appLock.enter();
        try {
            App a = appFor(so.pid());
            a.runq.add(so);
            a.cv.signal();
        } finally {
            appLock.exit();
        }
    }

    /** The owner's processing thread, made if it has none; appLock held. */
    private App appFor(int pid) {
        App a = apps.get(pid);
        if (a != null && !a.exited) {
            return a;
        }
        Proc owner = kernel.proc(pid);
        if (owner == null || owner.exiting()) {
            owner = kernel.proc0();
            a = apps.get(0);
            if (a != null && !a.exited) {
                return a;
            }
        }
        a = new App(owner);
        apps.put(owner.pid(), a);
        App made = a;
        a.thread = kernel.createKThread("lrp/app", owner, () -> made.loop());
        return a;
    }

    /**
     * A datagram socket's reader must be woken and its lock is busy: its process's APP thread delivers the
     * wakeup, and only that. The reader processes its channel itself, in {@code recv}; processing the frames
     * here would do IP and UDP input for datagrams that a full socket buffer then drops, eager processing's
     * waste at the process's priority, where LRP leaves them in the channel to be dropped for free.
     */
    private void wakeLater(Socket so) {
        appLock.enter();
        try {
            App a = appFor(so.pid());
            if (!a.wakeq.contains(so)) {
                a.wakeq.add(so);
            }
            a.cv.signal();
        } finally {
            appLock.exit();
        }
    }

    private void unpark(App a, Socket so) {
        appLock.enter();
        try {
            if (a.parked.remove(so)) {
                so.channel.setParked(false);
                a.runq.add(so);
                a.cv.signal();
            }
        } finally {
            appLock.exit();
        }
    }

    /**
     * Asynchronous protocol processing for the stream sockets of one process (seed 003's APP): a kernel
     * thread of that process, which the scheduler runs at the process's priority and charges as its protocol
     * time ({@link Kernel#createKThread(String, Proc, Runnable)}), so that a process that floods itself
     * decays, its processing falls behind and its channels fill and drop at the interface.
     */
    private final class App {
        final Proc owner;
        final KCondVar cv = kernel.newCondVar();
        final ArrayList<Socket> runq = new ArrayList<>();
        /** Datagram sockets whose reader is to be woken ({@link #wakeLater}). */
        final ArrayList<Socket> wakeq = new ArrayList<>();
        final ArrayList<Socket> parked = new ArrayList<>();
        KThread thread;
        boolean serving;
        boolean exited;

        App(Proc owner) {
            this.owner = owner;
        }

        void loop() {
            Lwp self = kernel.curlwp();
            long parkNext = 0;
            for (;;) {
                Socket so;
                boolean wake = false;
                appLock.enter();
                try {
                    for (;;) {
                        if (stopping || kernel.halting() || self != null && self.killed()) {
                            retire();
                            return;
                        }
                        long now = kernel.hypercall().clock().monotonicNanos();
                        if (!parked.isEmpty() && now >= parkNext) {
                            parkNext = now + PARK_RECHECK_NANOS;
                            for (int i = parked.size() - 1; i >= 0; i--) {
                                Socket p = parked.get(i);
                                if (p.isFreed() || !p.isListening() || !listenerFull(p)) {
                                    parked.remove(i);
                                    p.channel.setParked(false);
                                    runq.add(p);
                                }
                            }
                        }
                        if (!wakeq.isEmpty()) {
                            so = wakeq.remove(0);
                            wake = true;
                            serving = true;
                            break;
                        }
                        if (!runq.isEmpty()) {
                            so = runq.remove(0);
                            serving = true;
                            break;
                        }
                        idleCv.broadcast();
                        cv.awaitSigUntil(appLock, parked.isEmpty() ? Long.MAX_VALUE : now + PARK_RECHECK_NANOS);
                    }
                } finally {
                    appLock.exit();
                }
                try {
                    if (wake) {
                        wakeReader(so);
                    } else {
                        serve(this, so);
                    }
                } finally {
                    appLock.enter();
                    serving = false;
                    appLock.exit();
                }
            }
        }

        /** The owner exited or the kernel halts: what is still queued goes to process 0's thread. appLock held. */
        private void retire() {
            exited = true;
            if (apps.get(owner.pid()) == this) {
                apps.remove(owner.pid());
            }
            idleCv.broadcast();
            if (stopping || kernel.halting()) {
                return;
            }
            ArrayList<Socket> left = new ArrayList<>(runq);
            left.addAll(parked);
            runq.clear();
            parked.clear();
            App heir = appFor(0);
            for (Socket so : left) {
                so.channel.setParked(false);
                heir.runq.add(so);
            }
            heir.wakeq.addAll(wakeq);
            wakeq.clear();
            heir.cv.signal();
        }
    }

    /**
     * Waits until asynchronous processing has nothing queued and nothing in hand (parked listeners aside):
     * what a test waits for after injecting frames, beside the softints.
     */
    public void awaitIdle() {
        appLock.enter();
        try {
            while (!idleLocked() && !stopping) {
                idleCv.await(appLock);
            }
        } finally {
            appLock.exit();
        }
    }

    /** Whether asynchronous processing has nothing queued and nothing in hand. */
    public boolean idle() {
        appLock.enter();
        try {
            return idleLocked();
        } finally {
            appLock.exit();
        }
    }

    private boolean idleLocked() {
        for (App a : apps.values()) {
            if (!a.runq.isEmpty() || !a.wakeq.isEmpty() || a.serving) {
                return false;
            }
        }
        return true;
    }

    private static void wakeReader(Socket so) {
        if (so.isFreed()) {
            return;
        }
        so.lock().enter();
        try {
            so.sorwakeup();
        } finally {
            so.lock().exit();
        }
    }

    private void serve(App a, Socket so) {
        if (so.isFreed()) {
            so.channel.release();
            return;
        }
        int n = drain(so, APP_BATCH);
        if (n > 0) {
            stats.add(LrpStat.IN_APP, n);
        }
        if (so.isListening() && listenerFull(so) && !so.channel.isEmpty()) {
            stats.inc(LrpStat.PARKED);
            so.channel.setOnRoom(() -> unpark(a, so));
            appLock.enter();
            try {
                so.channel.setParked(true);
                a.parked.add(so);
            } finally {
                appLock.exit();
            }
            return;
        }
        if (so.channel.release() && so.channel.claim()) {
            appLock.enter();
            try {
                a.runq.add(so);
            } finally {
                appLock.exit();
            }
        }
    }

    private Object socketTable() {
        StringBuilder sb = new StringBuilder();
        appendSockets(sb, "udp", inet.udp().pcbs());
        appendSockets(sb, "tcp", inet.tcp().pcbs());
        return sb.toString();
    }

    private static void appendSockets(StringBuilder sb, String proto, java.util.List<InPcb> pcbs) {
        for (InPcb p : pcbs) {
            Socket so = p.socket();
            SoChannel c = so == null ? null : so.channel;
            if (c == null || c.queued() == 0 && c.drops() == 0) {
                continue;
            }
            sb.append(proto).append(' ').append(Ipv4Address.format(p.laddr())).append(' ').append(p.lport())
                    .append(' ').append(Ipv4Address.format(p.faddr())).append(' ').append(p.fport()).append(' ')
                    .append(c.queued()).append(' ').append(c.drops()).append(' ').append(c.length()).append('\n');
        }
    }
}
