package io.jrump.kern;

import io.jrump.kern.file.FileOps;
import io.jrump.kern.file.KFile;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.SelInfo;
import io.jrump.hypercall.Errno;
import java.nio.ByteBuffer;

/** A one-way byte queue file for descriptor tests: writes append, reads take, poll reports either. */
public final class TestFile implements FileOps {
    final SelInfo sel = new SelInfo();
    private final ByteBuffer data = ByteBuffer.allocate(1024);
    public boolean closed;

    @Override
    public synchronized int read(KFile fp, ByteBuffer dst) throws ErrnoException {
        data.flip();
        if (!data.hasRemaining()) {
            data.compact();
            throw new ErrnoException(Errno.EAGAIN);
        }
        int n = Math.min(dst.remaining(), data.remaining());
        for (int i = 0; i < n; i++) {
            dst.put(data.get());
        }
        data.compact();
        return n;
    }

    @Override
    public int write(KFile fp, ByteBuffer src) {
        int n;
        synchronized (this) {
            n = Math.min(src.remaining(), data.remaining());
            for (int i = 0; i < n; i++) {
                data.put(src.get());
            }
        }
        sel.notifyAll(Poll.POLLIN);
        return n;
    }

    @Override
    public synchronized int poll(KFile fp, int events, SelInfo.Waiter w) {
        int r = Poll.POLLOUT & events;
        if (data.position() > 0) {
            r |= events & Poll.POLLIN;
        }
        if ((r & events & Poll.POLLIN) == 0 && w != null) {
            sel.register(w);
        }
        return r;
    }

    @Override
    public synchronized void close(KFile fp) {
        closed = true;
    }
}
