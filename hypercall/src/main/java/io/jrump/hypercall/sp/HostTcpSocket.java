package io.jrump.hypercall.sp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A sysproxy client connection on a host TCP socket (a JDK channel, {@code TCP_NODELAY} set by the listener). */
public final class HostTcpSocket implements HostSocket {
    private final SocketChannel ch;
    private final InetSocketAddress peer;

    HostTcpSocket(SocketChannel ch, InetSocketAddress peer) {
        this.ch = ch;
        this.peer = peer;
    }

    /** The peer's address, null if the host could not say. */
    public InetAddress peerAddress() {
        return peer == null ? null : peer.getAddress();
    }

    /** The peer as {@code address:port}, for logs. */
    public String peerName() {
        return String.valueOf(peer);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return ch.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return ch.write(src);
    }

    @Override
    public void shutdown() {
        try {
            ch.shutdownInput();
        } catch (IOException | RuntimeException ignored) {
            // already shut down or closed by the peer
        }
        try {
            ch.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // already shut down or closed by the peer
        }
    }

    @Override
    public boolean isOpen() {
        return ch.isOpen();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
