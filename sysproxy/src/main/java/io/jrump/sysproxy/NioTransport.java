package io.jrump.sysproxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A JDK socket channel (the TCP transport) as a {@link Transport}. */
final class NioTransport implements Transport {
    private final SocketChannel ch;

    NioTransport(SocketChannel ch) {
        this.ch = ch;
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
