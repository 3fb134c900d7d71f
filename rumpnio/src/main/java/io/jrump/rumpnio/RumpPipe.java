package io.jrump.rumpnio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A {@link Pipe} in the rump kernel: the kernel has no {@code pipe(2)}, so, as the JDK does on Windows,
 * the two ends are a TCP connection over the kernel's 127.0.0.1 (with {@code TCP_NODELAY}, so that a
 * small write is not held back). Each end is a selectable channel of its own that does its work
 * through the connection's socket channel.
 */
final class RumpPipe extends Pipe {
    private final Source source;
    private final Sink sink;

    private RumpPipe(RumpSelectorProvider p, RumpSocketChannel in, RumpSocketChannel out) {
        this.source = new Source(p, in);
        this.sink = new Sink(p, out);
    }

    static RumpPipe open(RumpSelectorProvider p) throws IOException {
        try (ServerSocketChannel l = p.openServerSocketChannel()) {
            l.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            SocketChannel out = p.openSocketChannel();
            try {
                out.connect(l.getLocalAddress());
                SocketChannel in = l.accept();
                out.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                return new RumpPipe(p, (RumpSocketChannel) in, (RumpSocketChannel) out);
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
        }
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }

    /** Closes {@code end} too when its connection was closed under it by an interrupt or another thread. */
    private static IOException follow(java.nio.channels.Channel end, IOException e) {
        if (e instanceof ClosedByInterruptException || e instanceof AsynchronousCloseException) {
            try {
                end.close();
            } catch (IOException ignored) {
                // the original failure is what the caller needs
            }
        }
        return e;
    }

    /**
     * What both ends give a selector: the connection's descriptor, watched for the one operation the
     * end offers. The ends extend different JDK classes, so they share this through an interface.
     * Closing an end closes the connection's channel, whose own descriptor close the selector defers.
     */
    private interface End extends SelChannel {
        RumpSocketChannel conn();

        /** {@code OP_READ} for the source, {@code OP_WRITE} for the sink. */
        int op();

        @Override
        default int fd() {
            return conn().fd();
        }

        @Override
        default RumpSelectorProvider rumpProvider() {
            return conn().rumpProvider();
        }

        @Override
        default int pollEvents(int ops) {
            return conn().pollEvents(ops & op());
        }

        @Override
        default int readyOps(int revents, int interest) {
            return conn().readyOps(revents, interest & op());
        }

        @Override
        default void kill() {
        }
    }

    private static final class Source extends Pipe.SourceChannel implements End {
        private final RumpSocketChannel conn;

        Source(RumpSelectorProvider p, RumpSocketChannel conn) {
            super(p);
            this.conn = conn;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return conn.read(dst);
            } catch (IOException e) {
                throw follow(this, e);
            }
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            try {
                return conn.read(dsts, offset, length);
            } catch (IOException e) {
                throw follow(this, e);
            }
        }

        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return read(dsts, 0, dsts.length);
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            conn.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            conn.configureBlocking(block);
        }

        @Override
        public RumpSocketChannel conn() {
            return conn;
        }

        @Override
        public int op() {
            return SelectionKey.OP_READ;
        }
    }

    private static final class Sink extends Pipe.SinkChannel implements End {
        private final RumpSocketChannel conn;

        Sink(RumpSelectorProvider p, RumpSocketChannel conn) {
            super(p);
            this.conn = conn;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            try {
                return conn.write(src);
            } catch (IOException e) {
                throw follow(this, e);
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            try {
                return conn.write(srcs, offset, length);
            } catch (IOException e) {
                throw follow(this, e);
            }
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            conn.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            conn.configureBlocking(block);
        }

        @Override
        public RumpSocketChannel conn() {
            return conn;
        }

        @Override
        public int op() {
            return SelectionKey.OP_WRITE;
        }
    }
}
