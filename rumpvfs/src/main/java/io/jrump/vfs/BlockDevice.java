package io.jrump.vfs;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * A block device's entry points ({@code struct bdevsw}): I/O in whole {@link Buf#DEV_BSIZE} sectors,
 * started by {@link #strategy} and completed through {@link Buf#done}.
 */
public interface BlockDevice {
    default void open(long dev, int fflags, Cred cred) throws ErrnoException {
    }

    default void close(long dev, int fflags, Cred cred) throws ErrnoException {
    }

    /** Starts the transfer {@code bp} describes; errors may come at once or through {@link Buf#done}. */
    void strategy(long dev, Buf bp) throws ErrnoException;

    /** The device's size in bytes ({@code d_psize} in sectors, times the sector size). */
    long size(long dev) throws ErrnoException;

    /** Writes back anything the device caches. */
    default void sync(long dev) throws ErrnoException {
    }
}
