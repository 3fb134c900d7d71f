package io.jrump.virtif;

import java.util.Arrays;

/**
 * The held frames of one emulated direction in delivery order: a binary min-heap on (due time, arrival
 * order). A heap rather than a FIFO because reordering and rate changes make later frames due earlier.
 * Its array only grows, to at most the pool's frame limit. Not thread-safe: the owning path locks.
 */
final class HeldFrameQueue {
    private HeldFrame[] heap = new HeldFrame[16];
    private int size;

    void add(HeldFrame h) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!h.before(heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = h;
    }

    /** The next frame due, or null. */
    HeldFrame peek() {
        return size == 0 ? null : heap[0];
    }

    HeldFrame poll() {
        if (size == 0) {
            return null;
        }
        HeldFrame top = heap[0];
        HeldFrame last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            int i = 0;
            for (;;) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1].before(heap[child])) {
                    child++;
                }
                if (!heap[child].before(last)) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    int size() {
        return size;
    }
}
