package io.jrump.virtif;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/** A receiver that keeps a copy of every frame, as a real receiver of a lent buffer must. */
final class Recorder implements FrameSink {
    private final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();

    @Override
    public void receive(byte[] frame, int off, int len) {
        frames.add(Arrays.copyOfRange(frame, off, off + len));
    }

    List<byte[]> frames() {
        return new ArrayList<>(frames);
    }

    int count() {
        return frames.size();
    }

    List<Integer> tags() {
        List<Integer> t = new ArrayList<>();
        for (byte[] f : frames) {
            t.add(TestFrames.tag(f, 0));
        }
        return t;
    }

    /** Waits, at most {@code seconds}, until {@code n} frames have arrived; returns whether they did. */
    boolean await(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (frames.size() < n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }
}
