package io.jrump.net;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A bounded queue of packets linked through {@code m_nextpkt} ({@code struct ifqueue}): no
 * allocation per packet, and a full queue drops at the interface, before any protocol work, and
 * counts it, as BSD's {@code IF_DROP} does (and as LRP wants for its channels).
 */
public final class IfQueue {
    private Mbuf head;
    private Mbuf tail;
    private int len;
    private volatile int maxLen;
    private long drops;
    private boolean closed;

    public IfQueue(int maxLen) {
        this.maxLen = maxLen;
    }

    /** Appends {@code m}; false (and a counted drop) if the queue is full. The caller frees on false. */
    public synchronized boolean enqueue(Mbuf m) {
        if (len >= maxLen || closed) {
            drops++;
            return false;
        }
        m.setNextPkt(null);
        if (tail == null) {
            head = m;
        } else {
            tail.setNextPkt(m);
        }
        tail = m;
        len++;
        return true;
    }

    /** Takes the whole queue at once as a list linked by {@code nextPkt}, or null if empty. */
    public synchronized Mbuf dequeueAll() {
        Mbuf h = head;
        head = tail = null;
        len = 0;
        return h;
    }

    /** Refuses every later packet and returns those queued (linked by {@code nextPkt}). */
    public synchronized Mbuf close() {
        closed = true;
        return dequeueAll();
    }

    public synchronized Mbuf dequeue() {
        Mbuf h = head;
        if (h != null) {
            head = h.nextPkt();
            if (head == null) {
                tail = null;
            }
            h.setNextPkt(null);
            len--;
        }
        return h;
    }

    public synchronized int length() {
        return len;
    }

    public synchronized long drops() {
        return drops;
    }

    public int maxLength() {
        return maxLen;
    }

    public void setMaxLength(int n) {
        this.maxLen = n;
    }
}
