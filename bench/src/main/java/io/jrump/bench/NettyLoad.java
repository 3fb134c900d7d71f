package io.jrump.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty programs for {@code bench/run nio}: an echo server with ping-pong clients, and a discard server
 * fed by one bulk sender. Only the {@link SelectorProvider} differs between a run on the JDK's provider
 * and one on rump kernels; each side has one event loop thread.
 */
final class NettyLoad {
    private NettyLoad() {
    }

    /**
     * What one run measured: operations (round trips or bytes) per second, and the process's CPU time (user
     * and system, all threads) per operation over the same window, in nanoseconds; and how long the JIT
     * compiled during that window, in milliseconds (a side still compiling is not yet measured warm, and its
     * compiler threads take CPU from it).
     */
    record Rate(double perSecond, long total, double cpuNanosPerOp, double switchesPerOp, long jitMillis) {
    }

    /** The JIT's compile time so far (all compiler threads), in milliseconds; -1 where the JVM does not say. */
    static long jitMillis() {
        java.lang.management.CompilationMXBean c = java.lang.management.ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }

    /**
     * Context switches of every live thread of this process (voluntary: a thread went to sleep; the rest:
     * preempted), from {@code /proc/self/task/TID/status}: per operation, how many times a thread had to be
     * woken. -1 where {@code /proc} is not Linux's.
     */
    static long contextSwitches() {
        long n = 0;
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks =
                     java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return n;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static EventLoopGroup group(SelectorProvider p) {
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(p));
    }

    /** Echoes what it reads. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        /** A client closing with an echo unread resets the connection at the end of a run: not a failure. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Sends a message, waits for all of it to come back, sends the next; counts round trips. */
    private static final class PingPong extends ChannelInboundHandlerAdapter {
        private final int size;
        private final AtomicLong trips;
        private final AtomicBoolean running;
        private int pending;

        PingPong(int size, AtomicLong trips, AtomicBoolean running) {
            this.size = size;
            this.trips = trips;
            this.running = running;
        }

        private void send(ChannelHandlerContext ctx) {
            pending = size;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[size]));
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            pending -= ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            if (pending <= 0) {
                trips.incrementAndGet();
                if (running.get()) {
                    send(ctx);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (running.get()) {
                cause.printStackTrace();
            }
            ctx.close();
        }
    }

    /**
     * {@code conns} connections each bouncing {@code size} bytes off an echo server on {@code server}
     * at {@code addr}; round trips per second over {@code seconds} after {@code warmup} seconds.
     */
    static Rate echo(SelectorProvider server, SelectorProvider client, InetAddress addr, int conns, int size,
                     double warmup, double seconds) throws Exception {
        EventLoopGroup sg = group(server);
        EventLoopGroup cg = group(client);
        AtomicLong trips = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            Channel listener = new ServerBootstrap().group(sg).channelFactory(() -> new NioServerSocketChannel(server))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Echo());
                        }
                    }).bind(new InetSocketAddress(addr, 0)).sync().channel();
            InetSocketAddress at = (InetSocketAddress) listener.localAddress();
            Bootstrap b = new Bootstrap().group(cg).channelFactory(() -> new NioSocketChannel(client))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new PingPong(size, trips, running));
                        }
                    });
            List<Channel> chans = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                chans.add(b.connect(at).sync().channel());
            }
            Rate r = measure(trips, warmup, seconds);
            running.set(false);
            for (Channel c : chans) {
                c.close().sync();
            }
            listener.close().sync();
            return r;
        } finally {
            cg.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
            sg.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** Counts and drops what it reads. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        private final AtomicLong bytes;

        Discard(AtomicLong bytes) {
            this.bytes = bytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytes.addAndGet(((ByteBuf) msg).readableBytes());
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes {@code chunk}-byte buffers whenever the channel is writable. */
    private static final class Flood extends ChannelInboundHandlerAdapter {
        private final ByteBuf chunk;
        private final AtomicBoolean running;

        Flood(ByteBuf chunk, AtomicBoolean running) {
            this.chunk = chunk;
            this.running = running;
        }

        private void fill(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (ch.isWritable() && running.get()) {
                ctx.write(chunk.retainedDuplicate());
            }
            ctx.flush();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                fill(ctx);
            }
        }
    }

    /** One connection moving {@code chunk}-byte writes to a discard server; bytes per second received. */
    static Rate bulk(SelectorProvider server, SelectorProvider client, InetAddress addr, int chunk, double warmup,
                     double seconds) throws Exception {
        EventLoopGroup sg = group(server);
        EventLoopGroup cg = group(client);
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        ByteBuf data = Unpooled.unreleasableBuffer(Unpooled.directBuffer(chunk).writeZero(chunk));
        try {
            Channel listener = new ServerBootstrap().group(sg).channelFactory(() -> new NioServerSocketChannel(server))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Discard(bytes));
                        }
                    }).bind(new InetSocketAddress(addr, 0)).sync().channel();
            InetSocketAddress at = (InetSocketAddress) listener.localAddress();
            Channel c = new Bootstrap().group(cg).channelFactory(() -> new NioSocketChannel(client))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Flood(data, running));
                        }
                    }).connect(at).sync().channel();
            Rate r = measure(bytes, warmup, seconds);
            running.set(false);
            c.close().sync();
            listener.close().sync();
            return r;
        } finally {
            cg.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
            sg.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static Rate measure(AtomicLong counter, double warmup, double seconds) throws InterruptedException {
        Thread.sleep((long) (warmup * 1000));
        long c0 = counter.get();
        long sw0 = contextSwitches();
        long cpu0 = processCpuNanos();
        long jit0 = jitMillis();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long c1 = counter.get();
        long cpu1 = processCpuNanos();
        long jit1 = jitMillis();
        long sw1 = contextSwitches();
        long t1 = System.nanoTime();
        long ops = Math.max(1, c1 - c0);
        return new Rate((c1 - c0) / ((t1 - t0) / 1e9), c1 - c0, (cpu1 - cpu0) / (double) ops,
                (sw1 - sw0) / (double) ops, jit0 < 0 ? -1 : jit1 - jit0);
    }
}
