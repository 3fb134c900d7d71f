package io.jrump.sysproxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.unixsocket.UnixSocketChannel;

/**
 * A jnr-unixsocket connection read and written with {@code read(2)}/{@code write(2)} on its descriptor
 * (jnr-enxio's {@code Native}) straight from the caller's direct buffer. The channel's own read and write
 * allocate a heap buffer of the full request size and copy through it on every call, which on the
 * server's hot path cost more than the round trip itself.
 */
final class UnixTransport implements Transport {
    private static final int SHUT_RDWR = 2;
    private final UnixSocketChannel ch;
    private final int fd;
    private boolean closed;

    UnixTransport(UnixSocketChannel ch) {
        this.ch = ch;
        this.fd = ch.getFD();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!dst.isDirect()) {
            ByteBuffer tmp = ByteBuffer.allocateDirect(dst.remaining());
            int n = read(tmp);
            if (n > 0) {
                dst.put(tmp.flip());
            }
            return n;
        }
        int n = jnr.enxio.channels.Native.read(fd, dst);
        if (n > 0) {
            return n;
        }
        if (n == 0) {
            return -1;
        }
        throw new IOException(jnr.enxio.channels.Native.getLastErrorString());
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.isDirect()) {
            ByteBuffer tmp = ByteBuffer.allocateDirect(src.remaining());
            tmp.put(src.duplicate()).flip();
            int n = write(tmp);
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        }
        int n = jnr.enxio.channels.Native.write(fd, src);
        if (n < 0) {
            throw new IOException(jnr.enxio.channels.Native.getLastErrorString());
        }
        return n;
    }

    /** A no-op once closed: the descriptor number may already belong to another file. */
    @Override
    public synchronized void shutdown() {
        if (!closed) {
            jnr.enxio.channels.Native.shutdown(fd, SHUT_RDWR);
        }
    }

    @Override
    public boolean isOpen() {
        return ch.isOpen();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        ch.close();
    }
}
