package io.jrump.virtif;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A receiver that keeps a copy of every frame, as a real receiver of a lent buffer must, and lets a
 * test wait for the frames it expects: each arrival wakes the waiter.
 */
final class Recorder implements FrameSink {
    private final List<byte[]> frames = new ArrayList<>();

    @Override
    public synchronized void receive(byte[] frame, int off, int len) {
        frames.add(Arrays.copyOfRange(frame, off, off + len));
        notifyAll();
    }

    synchronized List<byte[]> frames() {
        return new ArrayList<>(frames);
    }

    synchronized int count() {
        return frames.size();
    }

    synchronized List<Integer> tags() {
        List<Integer> t = new ArrayList<>();
        for (byte[] f : frames) {
            t.add(TestFrames.tag(f, 0));
        }
        return t;
    }

    /** Waits, at most {@code seconds}, until {@code n} frames have arrived; returns whether they did. */
    synchronized boolean await(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (frames.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
