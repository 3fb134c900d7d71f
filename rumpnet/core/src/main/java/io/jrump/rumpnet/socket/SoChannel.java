package io.jrump.rumpnet.socket;

import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * A socket's receive channel under Lazy Receiver Processing (seed 003): the frames that early
 * demultiplexing at the interface found to be this socket's, whole and unprocessed, waiting for protocol
 * processing in the receiver's context. It is bounded: a frame that finds it full is dropped here and
 * counted, before any IP or transport work is spent on it, which is what keeps an overloaded socket from
 * taking the CPU from everything else (the paper's early discard).
 *
 * <p>Frames are linked through {@link Mbuf#nextPkt()}, so queueing allocates nothing. The interface's
 * receive context enqueues and the receiver (or the asynchronous protocol processing of a stream
 * socket) dequeues, under this object's monitor, held for a few field writes. {@link #enqueue} tells
 * the caller whether the channel went from empty to non-empty: only then is the receiver woken, as the
 * seed's NI signals the receiver only on that transition.
 */
public final class SoChannel {
    /** {@link #enqueue}: queued behind others; the receiver already knows. */
    public static final int QUEUED = 0;
    /** {@link #enqueue}: queued into an empty channel; the receiver must be woken. */
    public static final int FIRST = 1;
    /** {@link #enqueue}: the channel was full (or closed) and the frame was freed. */
    public static final int DROPPED = 2;

    private Mbuf head;
    private Mbuf tail;
    private volatile int len;
    /** Frames dropped full: most of them counted without the monitor ({@link #dropIfFull}). */
    private final java.util.concurrent.atomic.LongAdder drops = new java.util.concurrent.atomic.LongAdder();
    private long queued;
    private boolean closed;
    /** Set by whoever processes the channel: it is on a run queue or being worked, do not queue it again. */
    private boolean scheduled;
    /** A listening socket whose backlog is full: its channel is not processed until {@code accept} makes room. */
    private volatile boolean parked;
    private volatile Runnable onRoom;
    /** A reader sleeps in {@code recv} on this socket and will process the channel itself when woken. */
    private volatile boolean readerWaiting;

    /**
     * Queues {@code m} if fewer than {@code limit} frames wait, else frees it and counts the drop. A full
     * channel is seen without taking the monitor: under overload nearly every frame is dropped, from the
     * senders' threads, and taking the monitor for each would make the receiver's dequeue wait behind them
     * (the drop must cost the receiver nothing, seed 003). A frame that races with a dequeue is dropped one
     * frame early at worst.
     */
    public int enqueue(Mbuf m, int limit, MbufPool pool) {
        if (dropIfFull(limit)) {
            pool.freeChain(m);
            return DROPPED;
        }
        synchronized (this) {
            if (!closed && len < limit) {
                m.setNextPkt(null);
                if (tail == null) {
                    head = m;
                } else {
                    tail.setNextPkt(m);
                }
                tail = m;
                len++;
                queued++;
                return len == 1 ? FIRST : QUEUED;
            }
            drops.increment();
        }
        pool.freeChain(m);
        return DROPPED;
    }

    /** The oldest frame, unlinked, or null when empty. */
    public synchronized Mbuf dequeue() {
        Mbuf m = head;
        if (m == null) {
            return null;
        }
        head = m.nextPkt();
        if (head == null) {
            tail = null;
        }
        m.setNextPkt(null);
        len--;
        return m;
    }

    public synchronized boolean isEmpty() {
        return len == 0;
    }

    public synchronized int length() {
        return len;
    }

    /**
     * Counts a drop and returns true if {@code limit} frames already wait: the check of {@link #enqueue}
     * without a frame, for a driver that discards before it builds one (early discard, seed 003). Without the
     * monitor, so one frame early at worst.
     */
    public boolean dropIfFull(int limit) {
        if (len < limit) {
            return false;
        }
        drops.increment();
        return true;
    }

    /** Frames dropped because the channel was full. */
    public long drops() {
        return drops.sum();
    }

    /** Frames ever queued. */
    public synchronized long queued() {
        return queued;
    }

    /**
     * Marks the channel as taken by a processor if it was not, for the asynchronous processing's run
     * queue: true if the caller now owns the duty to process it.
     */
    public synchronized boolean claim() {
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    /**
     * Gives up the processing duty; true if frames are still waiting (and the caller should claim and
     * queue it again), so that a frame queued between the last dequeue and this release is not left behind.
     */
    public synchronized boolean release() {
        scheduled = false;
        return len > 0 && !closed;
    }

    public boolean readerWaiting() {
        return readerWaiting;
    }

    public void setReaderWaiting(boolean w) {
        readerWaiting = w;
    }

    public boolean parked() {
        return parked;
    }

    public void setParked(boolean p) {
        parked = p;
    }

    /** What {@link #room()} runs: the protocol's way of resuming a parked listener's channel. */
    public void setOnRoom(Runnable r) {
        onRoom = r;
    }

    /** A parked listener's queue made room ({@code accept} took a connection). */
    void room() {
        Runnable r = onRoom;
        if (parked && r != null) {
            r.run();
        }
    }

    /** The socket goes away: frees what waits and refuses more. */
    public void close(MbufPool pool) {
        Mbuf m;
        synchronized (this) {
            closed = true;
            m = head;
            head = null;
            tail = null;
            len = 0;
        }
        while (m != null) {
            Mbuf next = m.nextPkt();
            m.setNextPkt(null);
            pool.freeChain(m);
            m = next;
        }
    }
}
