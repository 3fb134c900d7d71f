package io.jrump.afpa.cache;

/**
 * What {@link AfpaCache#get} and {@link AfpaCache#open} found: the object, held for the caller (who
 * {@link CacheObject#release releases} it), or why there is none, so the engine can answer 404 or hand
 * the request to the user-level server.
 *
 * @param errno NetBSD's errno behind a failure ({@code ENOENT}, {@code ENOMEM}, ...), 0 otherwise
 */
public record CacheResult(Status status, CacheObject object, int errno) {
    public enum Status {
        /** The cached object, the file unchanged. */
        HIT,
        /** Just read from the file. */
        BUILT,
        /** No such file (ENOENT, ENOTDIR): the engine answers 404. */
        NOT_FOUND,
        /** A directory, device or other non-regular file: passed through. */
        NOT_REGULAR,
        /** Over the largest-object limit or the whole cache: passed through, never cached. */
        TOO_LARGE,
        /** No cache or kernel memory for it even after eviction: passed through. */
        NO_MEMORY,
        /** Any other failure to read it (EACCES, ELOOP, EIO, the file changing while read): passed through. */
        ERROR,
        /** The cache is closed (the component is going away). */
        CLOSED
    }

    /** Whether {@link #object()} holds an object. */
    public boolean found() {
        return object != null;
    }

    static CacheResult of(Status s, int errno) {
        return new CacheResult(s, null, errno);
    }
}
