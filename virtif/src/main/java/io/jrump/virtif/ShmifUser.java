package io.jrump.virtif;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.locks.LockSupport;

/**
 * The host side of the shmif component, as NetBSD's {@code rumpcomp_user.c} is for libshmif: the bus
 * file, its memory mapping, atomic access to the mapped words, host sleeps while polling, and the file
 * {@code shmif_dumpbus} writes. It is the only class of this component that touches host files or
 * mappings (ARCHITECTURE.md section 1).
 *
 * <p>One instance is one mapping of a bus file. Links in one JVM each map the file themselves; all
 * mappings share the host's page cache, so a compare-and-set through one is seen by the others and by
 * other processes, which is what makes the lock word work across processes. Java cannot unmap a
 * {@link MappedByteBuffer} explicitly; the mapping goes when the buffer is collected.
 */
final class ShmifUser {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final String path;
    private final MappedByteBuffer map;
    private final int size;

    private ShmifUser(String path, MappedByteBuffer map, int size) {
        this.path = path;
        this.map = map;
        this.size = size;
    }

    /**
     * Maps an existing bus file.
     *
     * @throws HyperError ENOENT if it does not exist, EISDIR, EACCES, EINVAL if it is empty, EFBIG if it
     *     is too large to map, EIO otherwise
     */
    static ShmifUser open(String path, boolean readOnly) {
        Path p = Path.of(path);
        if (Files.isDirectory(p)) {
            throw new HyperError(Errno.EISDIR, path + ": is a directory, not a shmif bus");
        }
        StandardOpenOption[] opts = readOnly
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        try (FileChannel fc = FileChannel.open(p, opts)) {
            long size = fc.size();
            if (size == 0) {
                throw new HyperError(Errno.EINVAL, path + ": empty file, not a shmif bus");
            }
            if (size > Integer.MAX_VALUE) {
                throw new HyperError(Errno.EFBIG, path + ": " + size + " bytes, too large for a shmif bus");
            }
            MappedByteBuffer m = fc.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, size);
            m.order(ByteOrder.LITTLE_ENDIAN);
            return new ShmifUser(path, m, (int) size);
        } catch (IOException e) {
            throw error(path, e);
        }
    }

    /**
     * Maps the bus file, first creating it with {@code header} followed by zeros up to {@code size}
     * bytes if it does not exist. The new file is written under a temporary name and then linked to
     * {@code path}, which fails if the name exists, so kernels racing to create one bus all end up on
     * the same file and none ever maps a half-written header.
     */
    static ShmifUser openOrCreate(String path, byte[] header, long size) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            create(p, header, size);
        }
        return open(path, false);
    }

    private static void create(Path p, byte[] header, long size) {
        Path abs = p.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(abs.getParent(), abs.getFileName() + ".", ".new");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try (FileChannel fc = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                fc.write(ByteBuffer.wrap(header));
                fc.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            try {
                Files.createLink(abs, tmp);
            } catch (FileAlreadyExistsException e) {
                // another kernel created the bus first; use its file
            } catch (UnsupportedOperationException | IOException e) {
                if (!Files.exists(abs)) {
                    Files.move(tmp, abs);
                }
            }
        } catch (FileAlreadyExistsException e) {
            // lost the race in the fallback move: the bus exists now
        } catch (IOException e) {
            throw error(p.toString(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a stray temporary file is harmless
                }
            }
        }
    }

    /** Writes {@code data[off..off+len)} to a new or truncated host file. */
    static void writeFile(String path, byte[] data, int off, int len) {
        try (OutputStream out = Files.newOutputStream(Path.of(path))) {
            out.write(data, off, len);
        } catch (IOException e) {
            throw error(path, e);
        }
    }

    /** Host monotonic time, for the lock timeout: a dead writer in another process runs on no kernel's clock. */
    static long hostNanos() {
        return System.nanoTime();
    }

    /** Something that differs between processes and between calls, mixed into sender ids. */
    static long hostEntropy() {
        return ProcessHandle.current().pid() * 0x9e3779b97f4a7c15L ^ System.nanoTime();
    }

    /**
     * A short host sleep while polling the bus: NetBSD's shmif waits for the bus file to change with
     * kqueue or inotify; we poll the generation word and sleep in between. Returns early if the thread
     * is interrupted (how close wakes the reader).
     */
    static void pause(long nanos) {
        LockSupport.parkNanos(nanos);
    }

    String path() {
        return path;
    }

    int size() {
        return size;
    }

    int getInt(int off) {
        return map.getInt(off);
    }

    void putInt(int off, int v) {
        map.putInt(off, v);
    }

    long getLong(int off) {
        return map.getLong(off);
    }

    long getLongAcquire(int off) {
        return (long) LONGS.getAcquire(map, off);
    }

    long getLongVolatile(int off) {
        return (long) LONGS.getVolatile(map, off);
    }

    void setLongRelease(int off, long v) {
        LONGS.setRelease(map, off, v);
    }

    void setLongVolatile(int off, long v) {
        LONGS.setVolatile(map, off, v);
    }

    boolean compareAndSetLong(int off, long expect, long v) {
        return LONGS.compareAndSet(map, off, expect, v);
    }

    void get(int off, byte[] dst, int dstOff, int len) {
        map.get(off, dst, dstOff, len);
    }

    void put(int off, byte[] src, int srcOff, int len) {
        map.put(off, src, srcOff, len);
    }

    private static HyperError error(String path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new HyperError(Errno.ENOENT, path + ": no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new HyperError(Errno.EACCES, path + ": permission denied");
        }
        return new HyperError(Errno.EIO, path + ": " + e.getMessage());
    }
}
