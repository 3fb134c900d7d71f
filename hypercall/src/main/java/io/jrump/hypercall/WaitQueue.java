package io.jrump.hypercall;

/**
 * A FIFO of blocked threads linked through nodes each thread owns and reuses, so that blocking allocates
 * nothing (a JDK lock or condition allocates a node per wait, and the kernel waits per packet). The
 * caller serialises changes (the condition variable's mutex, the mutex's queue lock); {@link #first} may
 * be read without that, to decide whether anyone needs waking.
 */
final class WaitQueue<N extends WaitQueue.Node<N>> {
    /** A thread's place in one queue at a time. */
    abstract static class Node<N extends Node<N>> {
        final Thread thread = Thread.currentThread();
        N next;
        boolean queued;
    }

    private volatile N head;
    private N tail;

    void add(N n) {
        n.next = null;
        n.queued = true;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
    }

    /** Takes {@code n} out if it is still queued. */
    void remove(N n) {
        N prev = null;
        for (N x = head; x != null; prev = x, x = x.next) {
            if (x == n) {
                if (prev == null) {
                    head = x.next;
                } else {
                    prev.next = x.next;
                }
                if (tail == x) {
                    tail = prev;
                }
                x.next = null;
                x.queued = false;
                return;
            }
        }
    }

    /** The longest waiter, or null. */
    N first() {
        return head;
    }

    /** Empties the queue and returns its former first node, still linked to the rest. */
    N takeAll() {
        N h = head;
        head = null;
        tail = null;
        return h;
    }
}
