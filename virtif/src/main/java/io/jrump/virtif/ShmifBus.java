package io.jrump.virtif;

import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperThread;
import io.jrump.hypercall.Hypercall;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An attachment to a shmif bus: NetBSD's {@code shmif} interface backend, an Ethernet segment in a
 * memory-mapped file that rump kernels in one JVM or in many processes share (ARCHITECTURE.md
 * section 5; the file format is in {@link ShmifLayout}). As on NetBSD, the bus is a bus: every
 * attachment sees every frame that any other attachment writes, and never its own.
 *
 * <p>{@link #send} takes the bus lock, appends the frame to the ring and releases the lock, on the
 * caller's thread. A receive thread, created through the hypercall layer, follows the ring from where
 * the bus stood when this attachment opened, polling the generation word with a sleep that starts
 * short and doubles while the bus is idle, and hands every frame not sent by this attachment to the
 * receiver in a buffer it reuses. Neither direction allocates per frame.
 *
 * <p>A receiver that cannot keep up is lapped by the writers and loses frames; they are counted in
 * {@link #lostFrames()} (and a frame is never delivered torn). A writer that died holding the bus lock
 * is taken over after {@link ShmifOptions#lockTimeoutNanos()}; see {@link ShmifLock}.
 */
public final class ShmifBus implements EtherLink {
    private final Hypercall hc;
    private final HyperClock clock;
    private final ShmifRing ring;
    private final ShmifOptions options;
    private final ShmifLock lock;
    private final ShmifReader reader;
    private final int senderId;
    private final int maxFrame;
    private final LinkCounters counters = new LinkCounters();
    private final Object txLock = new Object();
    private final byte[] txHeader = new byte[ShmifLayout.FRAME_HEADER];
    private final byte[] rxBuf;
    /** The frame {@link #rxBuf} is lent to the receiver in; the reader thread's alone. */
    private final RxFrame rxFrame = new RxFrame();
    private final HyperThread rxThread;
    private volatile Thread rxHostThread;
    private volatile FrameSink sink;
    private volatile boolean closed;
    private volatile boolean stalled;

    private ShmifBus(Hypercall hc, ShmifRing ring, ShmifOptions options) {
        this.hc = hc;
        this.clock = hc.clock();
        this.ring = ring;
        this.options = options;
        this.senderId = newSenderId(hc);
        this.lock = new ShmifLock(ring, senderId, options.lockTimeoutNanos(), clock);
        this.maxFrame = Math.min(options.maxFrame(), ring.maxPayload());
        this.rxBuf = new byte[maxFrame];
        this.reader = new ShmifReader(ring, 0, -1);
        resync();
        this.rxThread = hc.threads().create("shmif rx " + ring.path(), this::receiveLoop);
    }

    /** Attaches to the bus in file {@code path}, creating it with the default 1 MiB ring if it is missing. */
    public static ShmifBus open(Hypercall hc, String path) {
        return open(hc, path, ShmifOptions.DEFAULT);
    }

    /**
     * Attaches to the bus in file {@code path}, creating it with a ring of {@code options.ringSize()}
     * bytes if it is missing.
     *
     * @throws io.jrump.hypercall.HyperError if the file cannot be created or mapped, or is not a bus
     */
    public static ShmifBus open(Hypercall hc, String path, ShmifOptions options) {
        Objects.requireNonNull(hc, "hc");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        ShmifUser mem = ShmifUser.openOrCreate(path, ShmifRing.initialHeader(options.ringSize()),
                ShmifRing.fileSize(options.ringSize()));
        return new ShmifBus(hc, ShmifRing.attach(mem), options);
    }

    /**
     * A random non-zero id, mixed with host entropy so that two kernels seeded alike for a
     * reproducible test still get different ids on one bus.
     */
    private static int newSenderId(Hypercall hc) {
        for (;;) {
            long x = hc.random().nextLong() ^ ShmifUser.hostEntropy();
            int id = (int) (x ^ x >>> 32);
            if (id != 0) {
                return id;
            }
        }
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > maxFrame) {
            counters.drop();
            return;
        }
        boolean published;
        synchronized (txLock) {
            long ticket = lock.acquire();
            try {
                published = ring.append(ticket, senderId, clock.wallNanos(), frame, off, len, txHeader);
            } finally {
                lock.release(ticket);
            }
        }
        if (published) {
            counters.sent(len);
        } else {
            counters.drop();
        }
    }

    private void receiveLoop() {
        rxHostThread = Thread.currentThread();
        long sleep = options.pollMinNanos();
        while (!closed) {
            if (stalled) {
                ShmifUser.pause(options.pollMaxNanos());
                continue;
            }
            int n = reader.next(rxBuf);
            if (n == ShmifReader.NONE) {
                ShmifUser.pause(sleep);
                sleep = Math.min(sleep * 2, options.pollMaxNanos());
                continue;
            }
            sleep = options.pollMinNanos();
            if (n == ShmifReader.RESYNC) {
                resync();
                continue;
            }
            if (reader.sender() == senderId) {
                continue;
            }
            FrameSink s = sink;
            if (n < HEADER_LEN || s == null) {
                counters.drop();
                continue;
            }
            counters.received(n);
            try {
                s.receive(rxFrame.array(rxBuf, 0, n, 0, 0));
            } catch (RuntimeException e) {
                hc.console().println("shmif " + ring.path() + ": receiver threw " + e);
            }
        }
    }

    /**
     * Moves the lapped reader to the write position, reading the generation and the next sequence
     * number under the bus lock so that the count of lost frames is exact.
     */
    private void resync() {
        synchronized (txLock) {
            long ticket = lock.acquire();
            try {
                reader.resync(ring.generation(), ring.nextSequence());
            } finally {
                lock.release(ticket);
            }
        }
    }

    @Override
    public void setReceiver(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public int maxFrame() {
        return maxFrame;
    }

    @Override
    public LinkStats stats() {
        return counters.snapshot(0);
    }

    /** Frames other attachments sent that this one never read because they lapped it. */
    public long lostFrames() {
        return reader.lost();
    }

    /** How often this attachment's reader was lapped and jumped to the current write position. */
    public long resyncs() {
        return reader.resyncs();
    }

    /** How often this attachment broke a bus lock whose holder seemed dead. */
    public long lockBreaks() {
        return lock.breaks();
    }

    /** This attachment's id on the bus, in the sender field of the frames it writes. */
    public int senderId() {
        return senderId;
    }

    public String path() {
        return ring.path();
    }

    /** A snapshot of the bus header. */
    public ShmifHeader header() {
        return ring.header();
    }

    /** Test hook: while stalled the receive thread reads nothing, so writers can lap it. */
    void stallReceiver(boolean stall) {
        this.stalled = stall;
    }

    /** Test hook: overwrites the bus lock word, to leave the lock as a dead writer would. */
    void forceLockWord(long word) {
        ring.forceLockWord(word);
    }

    /** Stops the receive thread and waits (briefly) for it; the mapping goes with the last reference. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        rxThread.interrupt();
        if (Thread.currentThread() != rxHostThread) {
            try {
                rxThread.join(TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "shmif " + ring.path() + " (sender 0x" + Integer.toHexString(senderId) + ")";
    }
}
