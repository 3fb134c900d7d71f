package io.jrump.hypercall;

import java.util.SplittableRandom;

/**
 * A reproducible random source for tests: the same seed gives the same sequence numbers, ports and
 * link-emulator losses, so a failure found from a seed can be replayed.
 */
public final class SeededRandom implements HyperRandom {
    private final SplittableRandom random;

    public SeededRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized void fill(byte[] buffer, int offset, int length) {
        for (int i = 0; i < length; i++) {
            buffer[offset + i] = (byte) random.nextInt(256);
        }
    }

    @Override
    public synchronized long nextLong() {
        return random.nextLong();
    }
}
