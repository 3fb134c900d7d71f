package io.jrump.afpa.cache;

/**
 * Where a 64 KB chunk of a cache object is (the Windows 2000 AFPA seed's pin array entry): not yet read,
 * being read by a worker thread, or pinned in memory and ready to be sent from any context.
 */
public enum ChunkState {
    UNREAD,
    READING,
    PINNED
}
