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

    HyperFile open(String path, int flags);

    FileInfo getFileInfo(String path);

    /** Names in a host directory, for etfs directory trees; sorted. */
    List<String> list(String path);
}
