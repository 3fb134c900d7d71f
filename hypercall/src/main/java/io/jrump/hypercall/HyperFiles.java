package io.jrump.hypercall;

import java.util.List;

/** Host files and block devices ({@code rumpuser_open}, {@code rumpuser_getfileinfo}). */
public interface HyperFiles {
    /** {@code RUMPUSER_OPEN_*} flags. */
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_ACCMODE = 3;
    int O_CREATE = 4;
    int O_EXCL = 8;
    int O_TRUNC = 16;
    /**
     * No component of the path may be a symbolic link: the last one is opened without following
     * ({@code O_NOFOLLOW}) and the file opened must be the one the path names with nothing resolved
     * (its real path equals the path made absolute), else ELOOP. What etfs opens below a registered
     * directory, so that a link on the host cannot lead outside it.
     */
    int O_NOFOLLOW = 32;

    HyperFile open(String path, int flags);

    FileInfo getFileInfo(String path);

    /** Names in a host directory, for etfs directory trees; sorted. */
    List<String> list(String path);

    /**
     * {@code lstat}: like {@link #getFileInfo} but a symbolic link in the last component is described
     * itself ({@link FileInfo#symlink()}) instead of what it points to.
     */
    FileInfo getFileInfoNoFollow(String path);

    /** {@code readlink}: the target of a symbolic link as stored; EINVAL if the path is not one. */
    String readlink(String path);

    /** {@code realpath}: the absolute path with every symbolic link, {@code .} and {@code ..} resolved. */
    String realPath(String path);
}
