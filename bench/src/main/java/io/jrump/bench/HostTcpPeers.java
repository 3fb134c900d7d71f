package io.jrump.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The far end for {@code bench/run sockin}: plain host TCP servers on loopback, the same for the
 * sockin client and the plain NIO baseline, so that the ratio measures only the client side. One
 * thread per connection, blocking NIO with a direct buffer: the fastest simple Java server.
 */
final class HostTcpPeers implements AutoCloseable {
    /** What a server does with a connection. */
    enum Mode { ECHO, SINK, SOURCE }

    private final ServerSocketChannel server;
    private final Mode mode;
    private final List<SocketChannel> conns = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    HostTcpPeers(Mode mode) throws IOException {
        this.mode = mode;
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "host " + mode);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conns.add(c);
                Thread t = new Thread(() -> serve(c), "host " + mode + " conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
        try {
            switch (mode) {
                case ECHO -> {
                    while (c.read(b.clear()) > 0) {
                        b.flip();
                        while (b.hasRemaining()) {
                            c.write(b);
                        }
                    }
                }
                case SINK -> {
                    while (c.read(b.clear()) > 0) {
                        // discard
                    }
                }
                case SOURCE -> {
                    for (;;) {
                        b.clear();
                        c.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: the run is over
        } finally {
            try {
                c.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel c : conns) {
            c.close();
        }
    }
}
