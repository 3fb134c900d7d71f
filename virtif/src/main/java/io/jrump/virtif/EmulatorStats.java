package io.jrump.virtif;

/**
 * What a {@link LinkEmulator} did to one direction's frames.
 *
 * @param lost frames dropped on purpose by the loss probability
 * @param overflowed frames dropped because the queue of held frames was at its limit, and frames still
 *     held when the emulator was closed
 * @param duplicated frames delivered a second time
 * @param reordered frames held back to be overtaken
 * @param corrupted frames with a bit flipped
 * @param delayed frames held back for later delivery rather than passed on at once (each copy of a
 *     duplicated frame counts)
 */
public record EmulatorStats(long lost, long overflowed, long duplicated, long reordered, long corrupted, long delayed) {
    /** All frames the emulator dropped: lost plus overflowed. */
    public long dropped() {
        return lost + overflowed;
    }
}
