package io.jrump.hypercall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Host files through {@link FileChannel}. Asynchronous block I/O goes to one I/O thread per host, as
 * NetBSD's rumpuser runs {@code rumpuser_bio} on a pool of host threads; it is started on first use.
 */
final class HostFiles implements HyperFiles {
    private final HyperThreads threads;
    private final LinkedBlockingQueue<Runnable> bioQueue = new LinkedBlockingQueue<>();
    private final Runnable stop = () -> { };
    private HyperThread bioThread;

    HostFiles(HyperThreads threads) {
        this.threads = threads;
    }

    @Override
    public HyperFile open(String path, int flags) {
        Set<OpenOption> opts = new HashSet<>();
        switch (flags & O_ACCMODE) {
            case O_RDONLY -> opts.add(StandardOpenOption.READ);
            case O_WRONLY -> opts.add(StandardOpenOption.WRITE);
            case O_RDWR -> {
                opts.add(StandardOpenOption.READ);
                opts.add(StandardOpenOption.WRITE);
            }
            default -> throw new HyperError(Errno.EINVAL, "bad access mode in open flags " + flags);
        }
        if ((flags & O_CREATE) != 0) {
            opts.add((flags & O_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        }
        if ((flags & O_TRUNC) != 0) {
            opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        boolean noFollow = (flags & O_NOFOLLOW) != 0;
        if (noFollow) {
            opts.add(LinkOption.NOFOLLOW_LINKS);
        }
        try {
            Path p = Path.of(path);
            if (noFollow ? Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(p)) {
                throw new HyperError(Errno.EISDIR, path);
            }
            if (noFollow && Files.isSymbolicLink(p)) {
                throw new HyperError(Errno.ELOOP, path + " is a symbolic link");
            }
            if ((flags & O_CREATE) != 0 && (flags & O_ACCMODE) == O_RDONLY) {
                // FileChannel ignores CREATE and CREATE_NEW when opening only for reading; open(2) does not.
                try {
                    Files.createFile(p);
                } catch (FileAlreadyExistsException e) {
                    if ((flags & O_EXCL) != 0) {
                        throw e;
                    }
                }
            }
            FileChannel ch = FileChannel.open(p, opts);
            if (noFollow) {
                checkNoLinks(ch, p, path);
            }
            return new HostFile(ch, path);
        } catch (FileSystemException e) {
            // O_NOFOLLOW on a link fails with a generic ELOOP exception that NIO does not subclass
            throw noFollow && Files.isSymbolicLink(Path.of(path)) ? new HyperError(Errno.ELOOP, path) : toError(e, path);
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    /**
     * The file {@code ch} opened must be the one {@code p} names literally: if a directory on the way was
     * a symbolic link, the real path differs and the file is closed again.
     */
    private static void checkNoLinks(FileChannel ch, Path p, String path) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (!real.equals(abs)) {
            ch.close();
            throw new HyperError(Errno.ELOOP, path + " resolves through a symbolic link to " + real);
        }
    }

    @Override
    public FileInfo getFileInfo(String path) {
        try {
            BasicFileAttributes a = Files.readAttributes(Path.of(path), BasicFileAttributes.class);
            FileInfo.Type type;
            if (a.isRegularFile()) {
                type = FileInfo.Type.REG;
            } else if (a.isDirectory()) {
                type = FileInfo.Type.DIR;
            } else if (a.isOther()) {
                type = deviceType(Path.of(path));
            } else {
                type = FileInfo.Type.OTHER;
            }
            long size = a.size();
            if (type == FileInfo.Type.BLK) {
                try (FileChannel ch = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
                    size = ch.size();
                }
            }
            return new FileInfo(size, type);
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    private static FileInfo.Type deviceType(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int m = (Integer) mode & 0170000;
            if (m == 0060000) {
                return FileInfo.Type.BLK;
            }
            if (m == 0020000) {
                return FileInfo.Type.CHR;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: we cannot tell device kinds apart
        }
        return FileInfo.Type.OTHER;
    }

    @Override
    public List<String> list(String path) {
        try (Stream<Path> s = Files.list(Path.of(path))) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    @Override
    public FileInfo getFileInfoNoFollow(String path) {
        try {
            Path p = Path.of(path);
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return new FileInfo(a.size(), FileInfo.Type.OTHER, true);
            }
            FileInfo.Type type = a.isRegularFile() ? FileInfo.Type.REG : a.isDirectory() ? FileInfo.Type.DIR
                    : a.isOther() ? deviceType(p) : FileInfo.Type.OTHER;
            return new FileInfo(a.size(), type, false);
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    @Override
    public String readlink(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (NotLinkException e) {
            throw new HyperError(Errno.EINVAL, path + " is not a symbolic link");
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    @Override
    public String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            throw toError(e, path);
        }
    }

    static HyperError toError(Exception e, String path) {
        if (e instanceof HyperError he) {
            return he;
        }
        int errno;
        if (e instanceof NoSuchFileException) {
            errno = Errno.ENOENT;
        } else if (e instanceof AccessDeniedException) {
            errno = Errno.EACCES;
        } else if (e instanceof FileAlreadyExistsException) {
            errno = Errno.EEXIST;
        } else if (e instanceof NotDirectoryException) {
            errno = Errno.ENOTDIR;
        } else if (e instanceof ClosedChannelException || e instanceof NonReadableChannelException
                || e instanceof NonWritableChannelException) {
            errno = Errno.EBADF; // closed, or not open for this direction, as read(2)/write(2) report it
        } else if (e instanceof DirectoryNotEmptyException) {
            errno = Errno.ENOTEMPTY;
        } else if (e instanceof java.nio.file.InvalidPathException) {
            errno = Errno.EINVAL;
        } else {
            errno = Errno.EIO;
        }
        return new HyperError(errno, path + (e.getMessage() != null && !(e instanceof NoSuchFileException)
                ? " (" + e.getMessage() + ")" : ""));
    }

    private synchronized void submit(Runnable r) {
        if (bioThread == null) {
            bioThread = threads.create("rumpuser-bio", this::bioLoop);
        }
        bioQueue.add(r);
    }

    private void bioLoop() {
        for (;;) {
            Runnable r;
            try {
                r = bioQueue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == stop) {
                return;
            }
            try {
                r.run();
            } catch (RuntimeException e) {
                // a completion routine that throws must not stop block I/O for everyone else
                Thread.UncaughtExceptionHandler h = Thread.currentThread().getUncaughtExceptionHandler();
                h.uncaughtException(Thread.currentThread(), e);
            }
        }
    }

    /** Stops the I/O thread after the requests already queued have completed. */
    void shutdown() {
        HyperThread t;
        synchronized (this) {
            t = bioThread;
            bioThread = null;
            if (t != null) {
                bioQueue.add(stop);
            }
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toNanos(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class HostFile implements HyperFile {
        private final FileChannel ch;
        private final String path;

        HostFile(FileChannel ch, String path) {
            this.ch = ch;
            this.path = path;
        }

        @Override
        public int pread(ByteBuffer dst, long offset) {
            try {
                int total = 0;
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, offset + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                return total;
            } catch (IOException | RuntimeException e) {
                throw toError(e, path);
            }
        }

        @Override
        public int pwrite(ByteBuffer src, long offset) {
            try {
                int total = 0;
                while (src.hasRemaining()) {
                    total += ch.write(src, offset + total);
                }
                return total;
            } catch (IOException | RuntimeException e) {
                throw toError(e, path);
            }
        }

        @Override
        public void sync() {
            try {
                ch.force(true);
            } catch (IOException e) {
                throw toError(e, path);
            }
        }

        @Override
        public long size() {
            try {
                return ch.size();
            } catch (IOException e) {
                throw toError(e, path);
            }
        }

        @Override
        public long mtimeNanos() {
            try {
                return Files.getLastModifiedTime(Path.of(path)).to(TimeUnit.NANOSECONDS);
            } catch (IOException | RuntimeException e) {
                return Long.MIN_VALUE;
            }
        }

        @Override
        public void truncate(long size) {
            try {
                long now = ch.size();
                if (size < now) {
                    ch.truncate(size);
                } else if (size > now) {
                    // a zero at the new last byte: the host leaves the range before it a hole
                    ByteBuffer one = ByteBuffer.allocate(1);
                    while (one.hasRemaining()) {
                        ch.write(one, size - 1);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw toError(e, path);
            }
        }

        @Override
        public void bio(int op, ByteBuffer buffer, long offset, BioDone done) {
            submit(() -> {
                int bytes = 0;
                int errno = 0;
                try {
                    if ((op & BIO_READ) != 0) {
                        bytes = pread(buffer, offset);
                    } else if ((op & BIO_WRITE) != 0) {
                        bytes = pwrite(buffer, offset);
                    }
                    if ((op & BIO_SYNC) != 0) {
                        sync();
                    }
                } catch (HyperError e) {
                    errno = e.errno();
                }
                done.done(bytes, errno);
            });
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                throw toError(e, path);
            }
        }
    }
}
