package io.jrump.kern.vfs;

/**
 * NetBSD's {@code struct flock}, in its member order: a byte range ({@code len} 0 runs to the end of the
 * file and beyond; a negative {@code len} ends the range at {@code start}), the owner's pid as
 * {@code F_GETLK} reports it, the lock type ({@link Fcntl#F_RDLCK}, {@link Fcntl#F_WRLCK},
 * {@link Fcntl#F_UNLCK}) and the origin {@code start} counts from ({@link Fcntl#SEEK_SET} and so on).
 */
public record Flock(long start, long len, int pid, int type, int whence) {
}
