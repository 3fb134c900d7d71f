package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.testkit.Probes;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * NIO semantics a program relies on, run against the JDK's own provider over the host's loopback and
 * against rump providers: each failure must raise the same exception class (up to the JDK's internal
 * subclasses, which no program outside {@code java.base} can name), each success must move the same bytes.
 * A subclass says where the server and client live.
 */
abstract class ChannelSuite {
    /** The server's provider, the client's (the same for a single host), and the server's address. */
    protected SelectorProvider server;
    protected SelectorProvider client;
    protected InetAddress serverAddr;
    private final List<java.io.Closeable> opened = new ArrayList<>();

    /** Sets {@link #server}, {@link #client} and {@link #serverAddr}. */
    protected abstract void start() throws Exception;

    /** Releases what {@link #start()} made, after every channel of the test is closed. */
    protected abstract void stop() throws Exception;

    /** A description of how a thread blocked in a read or accept looks, for {@link #awaitBlocked}. */
    protected abstract boolean blockedInKernel(Thread t);

    @BeforeEach
    void setUp() throws Exception {
        start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (java.io.Closeable c : opened) {
            c.close();
        }
        stop();
    }

    private <T extends java.io.Closeable> T track(T c) {
        opened.add(c);
        return c;
    }

    protected ServerSocketChannel listener() throws IOException {
        ServerSocketChannel l = track(server.openServerSocketChannel());
        l.bind(new InetSocketAddress(serverAddr, 0));
        return l;
    }

    protected SocketChannel clientChannel() throws IOException {
        return track(client.openSocketChannel());
    }

    /** A connected pair, both blocking: [client end, server end]. */
    protected SocketChannel[] pair() throws IOException {
        ServerSocketChannel l = listener();
        SocketChannel c = clientChannel();
        assertTrue(c.connect(l.getLocalAddress()));
        SocketChannel s = track(l.accept());
        return new SocketChannel[] {c, s};
    }

    /** A port on the server's address where nothing listens. */
    protected InetSocketAddress closedPort() throws IOException {
        ServerSocketChannel l = server.openServerSocketChannel();
        l.bind(new InetSocketAddress(serverAddr, 0));
        InetSocketAddress a = (InetSocketAddress) l.getLocalAddress();
        l.close();
        return a;
    }

    /** The nearest class of {@code t} that code outside the JDK can name. */
    static Class<?> exported(Throwable t) {
        Class<?> c = t.getClass();
        while (!c.getModule().isExported(c.getPackageName())) {
            c = c.getSuperclass();
        }
        return c;
    }

    static <T extends Throwable> T assertThrowsExactly(Class<T> expected, Executable e) {
        try {
            e.execute();
        } catch (Throwable t) {
            assertEquals(expected, exported(t), () -> "expected " + expected.getName() + " but got " + t);
            return expected.cast(t);
        }
        fail("expected " + expected.getName() + ", nothing was thrown");
        return null;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("early end of stream");
            }
        }
    }

    /** Waits until {@code t} sleeps in a blocking channel operation. */
    protected void awaitBlocked(Thread t) {
        Probes.await(t.getName() + " blocked in the channel", () -> blockedInKernel(t));
    }

    // ---- data ----

    @Test
    void echoWithScatterAndGather() throws Exception {
        SocketChannel[] p = pair();
        ByteBuffer[] out = {ByteBuffer.wrap(bytes("hello, ")), ByteBuffer.allocateDirect(5).put(bytes("rump ")).flip(),
            ByteBuffer.wrap(bytes("kernel"))};
        long n = p[0].write(out);
        assertEquals(18, n);
        for (ByteBuffer b : out) {
            assertFalse(b.hasRemaining());
        }
        ByteBuffer[] in = {ByteBuffer.allocate(7), ByteBuffer.allocateDirect(11)};
        long got = 0;
        while (got < 18) {
            got += p[1].read(in);
        }
        assertEquals("hello, ", new String(in[0].array(), StandardCharsets.US_ASCII));
        in[1].flip();
        byte[] rest = new byte[11];
        in[1].get(rest);
        assertEquals("rump kernel", new String(rest, StandardCharsets.US_ASCII));
    }

    @Test
    void largeTransferBothWays() throws Exception {
        SocketChannel[] p = pair();
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 9));
        }
        Thread w = new Thread(() -> {
            try {
                p[0].write(ByteBuffer.wrap(data));
                p[0].shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, "writer");
        w.start();
        ByteBuffer in = ByteBuffer.allocate(data.length);
        readFully(p[1], in);
        assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
        w.join();
        assertArrayEquals(data, in.array());
    }

    @Test
    void nonBlockingReadWithNothingQueuedReturnsZero() throws Exception {
        SocketChannel[] p = pair();
        p[1].configureBlocking(false);
        assertEquals(0, p[1].read(ByteBuffer.allocate(10)));
    }

    @Test
    void shutdownOutputGivesPeerEndOfStreamAndForbidsWrites() throws Exception {
        SocketChannel[] p = pair();
        p[0].shutdownOutput();
        assertEquals(-1, p[1].read(ByteBuffer.allocate(10)));
        // the JDK's channel reports a write after shutdownOutput as an asynchronous close
        assertThrowsExactly(AsynchronousCloseException.class, () -> p[0].write(ByteBuffer.wrap(bytes("x"))));
        p[0].configureBlocking(false);
        assertThrowsExactly(AsynchronousCloseException.class, () -> p[0].write(ByteBuffer.wrap(bytes("x"))));
        p[0].configureBlocking(true);
        p[1].write(ByteBuffer.wrap(bytes("still")));
        ByteBuffer b = ByteBuffer.allocate(5);
        readFully(p[0], b);
        assertEquals("still", new String(b.array(), StandardCharsets.US_ASCII));
    }

    @Test
    void shutdownInputMakesReadsEndOfStream() throws Exception {
        SocketChannel[] p = pair();
        p[1].shutdownInput();
        assertEquals(-1, p[1].read(ByteBuffer.allocate(10)));
        assertTrue(p[1].socket().isInputShutdown());
    }

    // ---- failures ----

    @Test
    void connectionRefused() throws Exception {
        InetSocketAddress nobody = closedPort();
        SocketChannel c = clientChannel();
        ConnectException e = assertThrowsExactly(ConnectException.class, () -> c.connect(nobody));
        assertEquals("Connection refused", e.getMessage());
        assertFalse(c.isOpen(), "a failed connect closes the channel");
    }

    @Test
    void connectionRefusedSeenByFinishConnect() throws Exception {
        InetSocketAddress nobody = closedPort();
        SocketChannel c = clientChannel();
        c.configureBlocking(false);
        if (c.connect(nobody)) {
            fail("connected to a closed port");
        }
        Selector sel = track(client.openSelector());
        c.register(sel, SelectionKey.OP_CONNECT);
        assertEquals(1, sel.select());
        assertTrue(sel.selectedKeys().iterator().next().isConnectable());
        assertThrowsExactly(ConnectException.class, c::finishConnect);
        assertFalse(c.isOpen());
    }

    @Test
    void resetByPeerIsConnectionReset() throws Exception {
        SocketChannel[] p = pair();
        p[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        p[1].close();
        SocketException e = assertThrowsExactly(SocketException.class, () -> {
            ByteBuffer b = ByteBuffer.allocate(10);
            while (p[0].read(b.clear()) >= 0) {
                // read until the reset arrives
            }
        });
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    void operationsOnAClosedChannel() throws Exception {
        SocketChannel[] p = pair();
        p[0].close();
        assertThrowsExactly(ClosedChannelException.class, () -> p[0].read(ByteBuffer.allocate(1)));
        assertThrowsExactly(ClosedChannelException.class, () -> p[0].write(ByteBuffer.allocate(1)));
        assertThrowsExactly(ClosedChannelException.class, () -> p[0].getLocalAddress());
        assertThrowsExactly(ClosedChannelException.class, () -> p[0].setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertThrowsExactly(ClosedChannelException.class, () -> p[0].shutdownOutput());
        SocketChannel fresh = clientChannel();
        fresh.close();
        // blocking connect and accept start as blocking operations, so a closed channel is an asynchronous close
        assertThrowsExactly(AsynchronousCloseException.class, () -> fresh.connect(p[1].getLocalAddress()));
        assertThrowsExactly(ClosedChannelException.class, () -> fresh.bind(null));
        ServerSocketChannel l = listener();
        l.close();
        assertThrowsExactly(AsynchronousCloseException.class, l::accept);
    }

    @Test
    void notYetConnected() throws Exception {
        SocketChannel c = clientChannel();
        assertThrowsExactly(NotYetConnectedException.class, () -> c.read(ByteBuffer.allocate(1)));
        assertThrowsExactly(NotYetConnectedException.class, () -> c.write(ByteBuffer.allocate(1)));
        assertThrowsExactly(NotYetConnectedException.class, c::shutdownInput);
        assertThrowsExactly(NoConnectionPendingException.class, c::finishConnect);
        assertNull(c.getRemoteAddress());
    }

    @Test
    void alreadyConnectedAndPending() throws Exception {
        SocketChannel[] p = pair();
        assertThrowsExactly(AlreadyConnectedException.class, () -> p[0].connect(p[1].getLocalAddress()));
        ServerSocketChannel l = listener();
        SocketChannel c = clientChannel();
        c.configureBlocking(false);
        if (!c.connect(l.getLocalAddress())) {
            assertTrue(c.isConnectionPending());
            assertThrowsExactly(ConnectionPendingException.class, () -> c.connect(l.getLocalAddress()));
            c.configureBlocking(true);
            assertTrue(c.finishConnect());
        }
        assertTrue(c.isConnected());
        assertEquals(l.getLocalAddress(), c.getRemoteAddress());
    }

    @Test
    void addressesTheChannelCannotUse() throws Exception {
        SocketChannel c = clientChannel();
        assertThrowsExactly(UnresolvedAddressException.class,
                () -> c.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 80)));
        assertThrowsExactly(UnsupportedAddressTypeException.class, () -> c.connect(new SocketAddress() {
            private static final long serialVersionUID = 1L;
        }));
        assertThrowsExactly(IllegalArgumentException.class, () -> c.setOption(StandardSocketOptions.IP_TOS, 300));
        assertThrowsExactly(UnsupportedOperationException.class,
                () -> c.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
    }

    @Test
    void bindFailures() throws Exception {
        ServerSocketChannel l = listener();
        ServerSocketChannel again = track(server.openServerSocketChannel());
        BindException e = assertThrowsExactly(BindException.class, () -> again.bind(l.getLocalAddress()));
        assertEquals("Address already in use", e.getMessage());
        assertThrowsExactly(AlreadyBoundException.class, () -> l.bind(null));
        ServerSocketChannel unbound = track(server.openServerSocketChannel());
        assertThrowsExactly(NotYetBoundException.class, unbound::accept);
    }

    @Test
    void timeoutsThroughTheAdaptors() throws Exception {
        ServerSocketChannel l = listener();
        ServerSocket ss = l.socket();
        ss.setSoTimeout(50);
        SocketTimeoutException a = assertThrowsExactly(SocketTimeoutException.class, ss::accept);
        assertEquals("Accept timed out", a.getMessage());
        Socket s = clientChannel().socket();
        s.connect(l.getLocalAddress());
        s.setSoTimeout(50);
        InputStream in = s.getInputStream();
        SocketTimeoutException r = assertThrowsExactly(SocketTimeoutException.class, in::read);
        assertEquals("Read timed out", r.getMessage());
        assertTrue(s.isConnected());
        assertFalse(s.isClosed());
        Socket peer = ss.accept();
        peer.getOutputStream().write(bytes("late"));
        byte[] b = new byte[4];
        assertEquals(4, in.readNBytes(b, 0, 4));
        assertEquals("late", new String(b, StandardCharsets.US_ASCII));
        peer.close();
    }

    @Test
    void streamsNeedBlockingMode() throws Exception {
        SocketChannel[] p = pair();
        InputStream in = p[0].socket().getInputStream();
        p[0].configureBlocking(false);
        assertThrowsExactly(IllegalBlockingModeException.class, in::read);
    }

    @Test
    void closeWhileAnotherThreadReads() throws Exception {
        SocketChannel[] p = pair();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                p[0].read(ByteBuffer.allocate(10));
            } catch (Throwable e) {
                got.set(e);
            }
        }, "blocked reader");
        t.start();
        awaitBlocked(t);
        p[0].close();
        t.join();
        assertEquals(AsynchronousCloseException.class, exported(got.get()), () -> String.valueOf(got.get()));
        assertEquals(-1, p[1].read(ByteBuffer.allocate(10)), "the peer sees the connection end");
    }

    @Test
    void closeWhileAnotherThreadAccepts() throws Exception {
        ServerSocketChannel l = listener();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                l.accept();
            } catch (Throwable e) {
                got.set(e);
            }
        }, "blocked acceptor");
        t.start();
        awaitBlocked(t);
        l.close();
        t.join();
        assertEquals(AsynchronousCloseException.class, exported(got.get()), () -> String.valueOf(got.get()));
    }

    @Test
    void interruptClosesTheChannel() throws Exception {
        SocketChannel[] p = pair();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                p[0].read(ByteBuffer.allocate(10));
            } catch (Throwable e) {
                got.set(e);
            }
        }, "interrupted reader");
        t.start();
        awaitBlocked(t);
        t.interrupt();
        t.join();
        assertEquals(ClosedByInterruptException.class, exported(got.get()), () -> String.valueOf(got.get()));
        assertFalse(p[0].isOpen());
        // an interrupted thread that touches a channel closes it at once
        SocketChannel[] q = pair();
        Thread.currentThread().interrupt();
        try {
            assertThrowsExactly(ClosedByInterruptException.class, () -> q[0].read(ByteBuffer.allocate(1)));
        } finally {
            Thread.interrupted();
        }
        assertFalse(q[0].isOpen());
    }

    // ---- options ----

    @Test
    void socketOptionsRoundTrip() throws Exception {
        SocketChannel[] p = pair();
        SocketChannel c = p[0];
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY));
        c.setOption(StandardSocketOptions.TCP_NODELAY, false);
        assertFalse(c.getOption(StandardSocketOptions.TCP_NODELAY));
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertTrue(c.getOption(StandardSocketOptions.SO_KEEPALIVE));
        c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        assertTrue(c.getOption(StandardSocketOptions.SO_REUSEADDR));
        c.setOption(StandardSocketOptions.SO_LINGER, 5);
        assertEquals(5, c.getOption(StandardSocketOptions.SO_LINGER));
        c.setOption(StandardSocketOptions.SO_LINGER, -1);
        assertEquals(-1, c.getOption(StandardSocketOptions.SO_LINGER));
        c.setOption(StandardSocketOptions.IP_TOS, 0x10);
        assertEquals(0x10, c.getOption(StandardSocketOptions.IP_TOS));
        c.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
        assertTrue(c.getOption(StandardSocketOptions.SO_RCVBUF) >= 32768);
        c.setOption(StandardSocketOptions.SO_SNDBUF, 32768);
        assertTrue(c.getOption(StandardSocketOptions.SO_SNDBUF) >= 32768);
        Socket s = c.socket();
        s.setTcpNoDelay(true);
        assertTrue(s.getTcpNoDelay());
        s.setSoLinger(true, 3);
        assertEquals(3, s.getSoLinger());
        assertTrue(c.supportedOptions().containsAll(List.of(StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS)));
    }

    @Test
    void adaptorsReportAddresses() throws Exception {
        SocketChannel[] p = pair();
        Socket s = p[0].socket();
        assertSame(p[0], s.getChannel());
        assertEquals(p[1].getLocalAddress(), s.getRemoteSocketAddress());
        assertEquals(p[0].getLocalAddress(), s.getLocalSocketAddress());
        assertEquals(serverAddr, s.getInetAddress());
        assertTrue(s.isBound());
        assertTrue(s.isConnected());
    }

    // ---- selection ----

    @Test
    void selectorAcceptsReadsAndWrites() throws Exception {
        ServerSocketChannel l = listener();
        l.configureBlocking(false);
        Selector sel = track(server.openSelector());
        SelectionKey lk = l.register(sel, SelectionKey.OP_ACCEPT);
        assertEquals(0, sel.selectNow());
        SocketChannel c = clientChannel();
        c.connect(l.getLocalAddress());
        assertEquals(1, sel.select());
        assertTrue(sel.selectedKeys().contains(lk));
        assertTrue(lk.isAcceptable());
        sel.selectedKeys().clear();
        SocketChannel s = track(l.accept());
        s.configureBlocking(false);
        SelectionKey sk = s.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE, "attached");
        assertEquals("attached", sk.attachment());
        assertEquals(1, sel.select());
        assertEquals(SelectionKey.OP_WRITE, sk.readyOps());
        sel.selectedKeys().clear();
        sk.interestOps(SelectionKey.OP_READ);
        c.write(ByteBuffer.wrap(bytes("ping")));
        assertEquals(1, sel.select());
        assertTrue(sk.isReadable());
        ByteBuffer b = ByteBuffer.allocate(4);
        assertEquals(4, s.read(b));
        assertThrowsExactly(UnsupportedOperationException.class, () -> sel.selectedKeys().add(lk));
        assertThrowsExactly(IllegalBlockingModeException.class, () -> {
            s.configureBlocking(true);
            s.register(sel, SelectionKey.OP_READ);
        });
    }

    @Test
    void wakeupSelectNowAndTimeouts() throws Exception {
        Selector sel = track(server.openSelector());
        assertEquals(0, sel.selectNow());
        assertEquals(0, sel.select(20));
        sel.wakeup();
        assertEquals(0, sel.select(), "a wakeup before select makes it return at once");
        AtomicReference<Integer> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(sel.select());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, "selector");
        t.start();
        Probes.await("the selector thread to sleep", () -> Probes.parked(t) || blockedInKernel(t));
        sel.wakeup();
        t.join();
        assertEquals(0, got.get());
        Thread u = new Thread(() -> {
            try {
                got.set(sel.select());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, "interrupted selector");
        u.start();
        Probes.await("the selector thread to sleep", () -> Probes.parked(u) || blockedInKernel(u));
        u.interrupt();
        u.join();
        assertTrue(sel.isOpen(), "an interrupt wakes a selector without closing it");
    }

    @Test
    void interestChangedWhileAnotherThreadSelects() throws Exception {
        SocketChannel[] p = pair();
        p[1].configureBlocking(false);
        Selector sel = track(server.openSelector());
        SelectionKey k = p[1].register(sel, 0);
        p[0].write(ByteBuffer.wrap(bytes("data")));
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                while (sel.select() == 0) {
                    // woken with nothing selected: select again with the new interest set
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "selector");
        t.start();
        Probes.await("the selector thread to sleep", () -> Probes.parked(t) || blockedInKernel(t));
        k.interestOps(SelectionKey.OP_READ);
        sel.wakeup();
        t.join();
        assertNull(failed.get());
        assertTrue(k.isReadable());
    }

    @Test
    void cancelledKeysLeaveAtTheNextSelection() throws Exception {
        SocketChannel[] p = pair();
        p[1].configureBlocking(false);
        Selector sel = track(server.openSelector());
        SelectionKey k = p[1].register(sel, SelectionKey.OP_READ);
        k.cancel();
        assertFalse(k.isValid());
        assertTrue(sel.keys().contains(k));
        assertThrowsExactly(CancelledKeyException.class, k::interestOps);
        sel.selectNow();
        assertFalse(sel.keys().contains(k));
        assertFalse(p[1].isRegistered());
        SelectionKey again = p[1].register(sel, SelectionKey.OP_READ);
        assertTrue(again.isValid());
        p[1].close();
        sel.selectNow();
        assertTrue(sel.keys().isEmpty(), "closing a channel cancels its keys");
        sel.close();
        assertThrowsExactly(ClosedSelectorException.class, sel::selectNow);
    }

    @Test
    void closingAnotherProvidersChannelIsRefused() throws Exception {
        Selector sel = track(server.openSelector());
        SocketChannel foreign = SocketChannel.open();
        try {
            if (foreign.provider() != server) {
                foreign.configureBlocking(false);
                assertThrowsExactly(java.nio.channels.IllegalSelectorException.class,
                        () -> foreign.register(sel, SelectionKey.OP_READ));
            }
        } finally {
            foreign.close();
        }
    }

    // ---- datagrams and pipes ----

    @Test
    void datagramsBothWays() throws Exception {
        DatagramChannel a = track(server.openDatagramChannel());
        a.bind(new InetSocketAddress(serverAddr, 0));
        DatagramChannel b = track(client.openDatagramChannel());
        b.send(ByteBuffer.wrap(bytes("one")), a.getLocalAddress());
        ByteBuffer in = ByteBuffer.allocate(2);
        SocketAddress from = a.receive(in);
        assertNotNull(from);
        assertEquals("on", new String(in.array(), StandardCharsets.US_ASCII), "a datagram is cut to the buffer");
        a.connect(from);
        a.write(ByteBuffer.wrap(bytes("two")));
        ByteBuffer back = ByteBuffer.allocate(10);
        assertEquals(a.getLocalAddress(), b.receive(back));
        assertEquals(3, back.position());
        a.configureBlocking(false);
        assertEquals(0, a.read(ByteBuffer.allocate(5)));
        DatagramSocket ds = b.socket();
        ds.setSoTimeout(50);
        assertThrowsExactly(SocketTimeoutException.class, () -> ds.receive(new DatagramPacket(new byte[4], 4)));
        assertThrowsExactly(AlreadyConnectedException.class, () -> a.connect(from));
    }

    @Test
    void connectedDatagramToAClosedPortIsPortUnreachable() throws Exception {
        DatagramChannel a = track(client.openDatagramChannel());
        a.connect(closedPort());
        a.write(ByteBuffer.wrap(bytes("anyone?")));
        assertThrowsExactly(PortUnreachableException.class, () -> {
            for (int i = 0; i < 100; i++) {
                a.socket().setSoTimeout(100);
                try {
                    a.socket().receive(new DatagramPacket(new byte[10], 10));
                } catch (SocketTimeoutException e) {
                    a.write(ByteBuffer.wrap(bytes("anyone?")));
                }
            }
        });
    }

    @Test
    void pipeCarriesBytesAndSelects() throws Exception {
        Pipe pipe = server.openPipe();
        track(pipe.source());
        track(pipe.sink());
        Selector sel = track(server.openSelector());
        pipe.source().configureBlocking(false);
        SelectionKey k = pipe.source().register(sel, SelectionKey.OP_READ);
        assertEquals(0, sel.selectNow());
        pipe.sink().write(ByteBuffer.wrap(bytes("through")));
        assertEquals(1, sel.select());
        assertTrue(k.isReadable());
        ByteBuffer b = ByteBuffer.allocate(7);
        while (b.hasRemaining()) {
            pipe.source().read(b);
        }
        assertEquals("through", new String(b.array(), StandardCharsets.US_ASCII));
        assertTrue(Arrays.asList(pipe.source().validOps(), pipe.sink().validOps())
                .containsAll(List.of(SelectionKey.OP_READ, SelectionKey.OP_WRITE)));
    }
}
