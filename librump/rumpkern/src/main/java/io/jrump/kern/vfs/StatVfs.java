package io.jrump.kern.vfs;

/**
 * NetBSD's {@code struct statvfs}: sizes in fragments of {@code frsize} bytes, file counts, the mount's
 * flags and names. The figures add up: {@code blocks = used + bfree} and {@code files = used + ffree}.
 */
public record StatVfs(long flag, long bsize, long frsize, long iosize,
                      long blocks, long bfree, long bavail, long bresvd,
                      long files, long ffree, long favail, long fresvd,
                      long syncreads, long syncwrites, long asyncreads, long asyncwrites,
                      long fsidx, long fsid, long namemax, int owner,
                      String fstypename, String mntonname, String mntfromname) {
}
