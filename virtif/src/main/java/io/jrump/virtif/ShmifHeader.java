package io.jrump.virtif;

/**
 * A snapshot of a shmif bus header, what {@code shmif_dumpbus -h} prints. The fields are read one by
 * one from a live bus, so on a busy bus they may belong to slightly different moments.
 *
 * @param version the format version
 * @param ringSize bytes in the ring
 * @param generation absolute offset of the next write: bytes ever appended
 * @param first absolute offset of the oldest frame still whole in the ring
 * @param nextSequence the number the next frame will get, so also how many frames were ever sent
 * @param lockWord 0 when the bus lock is free, else the holder's ticket
 * @param lockHolder sender id of the lock holder, 0 when free
 * @param lockWallNanos when the holder took the lock, wall-clock nanoseconds
 * @param lockBreaks how often a lock held too long has been broken on this bus
 */
public record ShmifHeader(int version, int ringSize, long generation, long first, long nextSequence, long lockWord,
        int lockHolder, long lockWallNanos, int lockBreaks) {
    public boolean locked() {
        return lockWord != 0;
    }
}
