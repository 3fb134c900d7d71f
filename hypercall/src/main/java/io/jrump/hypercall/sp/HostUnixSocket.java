package io.jrump.hypercall.sp;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * The host side of a sysproxy client connection on a unix-domain socket (librumpuser's {@code sp} code):
 * the peer's credentials ({@code SO_PEERCRED}), and a jnr-unixsocket connection read and written with {@code read(2)}/{@code write(2)} on its descriptor
 * (jnr-enxio's {@code Native}) straight from the caller's direct buffer. The channel's own read and write
 * allocate a heap buffer of the full request size and copy through it on every call, which on the
 * server's hot path cost more than the round trip itself.
 */
public final class HostUnixSocket implements HostSocket {
    private static final int SHUT_RDWR = 2;
    private final UnixSocketChannel ch;
    private final int fd;
    private final Credentials peer;
    private boolean closed;

    HostUnixSocket(UnixSocketChannel ch) throws IOException {
        this.ch = ch;
        this.fd = ch.getFD();
        this.peer = ch.getOption(UnixSocketOptions.SO_PEERCRED);
    }

    public int peerUid() {
        return peer.getUid();
    }

    public int peerGid() {
        return peer.getGid();
    }

    public int peerPid() {
        return peer.getPid();
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

    /**
     * Wakes a thread blocked in {@link #read} without releasing the descriptor. A no-op once closed: the
     * descriptor number may already belong to another file.
     */
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
