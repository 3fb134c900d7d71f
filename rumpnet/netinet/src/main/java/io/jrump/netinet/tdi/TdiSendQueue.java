package io.jrump.netinet.tdi;

/**
 * A connection's send requests waiting for their acknowledgement, oldest first: each is known by the
 * offset in the connection's send stream just past its last byte, so that the cumulative count of
 * acknowledged bytes completes them in order, each exactly once (TCP acknowledges the stream
 * cumulatively, RFC 9293 section 3.4). A ring of parallel arrays grown by doubling, so that steady
 * traffic allocates nothing per request. Guarded by the connection's socket lock.
 */
final class TdiSendQueue {
    private long[] ends = new long[4];
    private TdiSendCompletion[] dones = new TdiSendCompletion[4];
    private Object[] contexts = new Object[4];
    private int head;
    private int size;
    /** Bytes queued on the send stream since the queue began, and bytes acknowledged of them. */
    private long queued;
    private long acked;

    /** Starts counting with {@code bytes} already in the send buffer, which belong to no request. */
    TdiSendQueue(int bytes) {
        this.queued = bytes;
    }

    /** Counts {@code len} more bytes queued; with {@code done} they form a request to complete. */
    void add(int len, TdiSendCompletion done, Object context) {
        queued += len;
        if (done == null) {
            return;
        }
        if (size == ends.length) {
            grow();
        }
        int i = (head + size) & (ends.length - 1);
        ends[i] = queued;
        dones[i] = done;
        contexts[i] = context;
        size++;
    }

    /** Takes back the last {@link #add}, which the protocol refused. */
    void undo(int len, boolean hadCompletion) {
        queued -= len;
        if (hadCompletion) {
            size--;
            int i = (head + size) & (ends.length - 1);
            dones[i] = null;
            contexts[i] = null;
        }
    }

    private void grow() {
        int n = ends.length;
        long[] e = new long[n * 2];
        TdiSendCompletion[] d = new TdiSendCompletion[n * 2];
        Object[] c = new Object[n * 2];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (n - 1);
            e[k] = ends[i];
            d[k] = dones[i];
            c[k] = contexts[i];
        }
        ends = e;
        dones = d;
        contexts = c;
        head = 0;
    }

    /** Counts {@code bytes} more acknowledged. */
    void acked(int bytes) {
        acked += bytes;
    }

    /** Whether the oldest request is complete: every byte of it acknowledged. */
    boolean headDone() {
        return size > 0 && ends[head] <= acked;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    TdiSendCompletion headCompletion() {
        return dones[head];
    }

    Object headContext() {
        return contexts[head];
    }

    /** Removes the oldest request. */
    void pop() {
        dones[head] = null;
        contexts[head] = null;
        head = (head + 1) & (ends.length - 1);
        size--;
    }

    /** Bytes queued and not yet acknowledged. */
    long outstanding() {
        return queued - acked;
    }

    @Override
    public String toString() {
        return "tdi sends " + size + " pending, " + outstanding() + " bytes unacknowledged";
    }
}
