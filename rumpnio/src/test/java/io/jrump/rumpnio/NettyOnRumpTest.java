package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Netty's NIO transport, unmodified, on rump kernels: servers on one kernel, clients on another, across the
 * hub. The only jrump-specific code is the provider handed to Netty's event loops and channels, which is
 * how Netty lets a program choose one.
 */
class NettyOnRumpTest {
    private static EventLoopGroup group(SelectorProvider p) {
        return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(p));
    }

    @Test
    void echoServerAnswersManyClients() throws Exception {
        try (HubNet net = new HubNet()) {
            RumpSelectorProvider server = RumpSelectorProvider.of(net.boot());
            RumpSelectorProvider client = RumpSelectorProvider.of(net.boot());
            EventLoopGroup sg = group(server);
            EventLoopGroup cg = group(client);
            try {
                Channel listener = new ServerBootstrap().group(sg)
                        .channelFactory(() -> new NioServerSocketChannel(server))
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ctx.writeAndFlush(msg);
                                    }
                                });
                            }
                        }).bind(new InetSocketAddress(HubNet.address(1), 7)).sync().channel();
                Random rnd = new Random(20);
                List<CompletableFuture<byte[]>> got = new ArrayList<>();
                List<byte[]> sent = new ArrayList<>();
                List<Channel> clients = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    byte[] data = new byte[1 + rnd.nextInt(200_000)];
                    rnd.nextBytes(data);
                    sent.add(data);
                    CompletableFuture<byte[]> f = new CompletableFuture<>();
                    got.add(f);
                    clients.add(new Bootstrap().group(cg).channelFactory(() -> new NioSocketChannel(client))
                            .handler(new Collect(data.length, f))
                            .connect(new InetSocketAddress(HubNet.address(1), 7)).sync().channel());
                }
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).writeAndFlush(Unpooled.wrappedBuffer(sent.get(i)));
                }
                for (int i = 0; i < clients.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i).get(60, TimeUnit.SECONDS), "client " + i);
                    clients.get(i).close().sync();
                }
                listener.close().sync();
            } finally {
                cg.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
                sg.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            }
        }
    }

    /** Collects {@code want} bytes, then completes. */
    private static final class Collect extends ChannelInboundHandlerAdapter {
        private final ByteBuf acc = Unpooled.buffer();
        private final int want;
        private final CompletableFuture<byte[]> done;

        Collect(int want, CompletableFuture<byte[]> done) {
            this.want = want;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            acc.writeBytes(b);
            b.release();
            if (acc.readableBytes() >= want) {
                byte[] out = new byte[acc.readableBytes()];
                acc.readBytes(out);
                done.complete(out);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    @Test
    void httpServerServesAClientOnAnotherKernel() throws Exception {
        try (HubNet net = new HubNet()) {
            RumpSelectorProvider server = RumpSelectorProvider.of(net.boot());
            RumpSelectorProvider client = RumpSelectorProvider.of(net.boot());
            EventLoopGroup sg = group(server);
            EventLoopGroup cg = group(client);
            try {
                Channel listener = new ServerBootstrap().group(sg)
                        .channelFactory(() -> new NioServerSocketChannel(server))
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                                byte[] body = ("you asked for " + req.uri())
                                                        .getBytes(StandardCharsets.UTF_8);
                                                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                        HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                                HttpUtil.setContentLength(res, body.length);
                                                HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
                                                ctx.writeAndFlush(res);
                                            }
                                        });
                            }
                        }).bind(new InetSocketAddress(HubNet.address(1), 8080)).sync().channel();
                for (int i = 0; i < 3; i++) {
                    CompletableFuture<String> answer = new CompletableFuture<>();
                    Channel c = new Bootstrap().group(cg).channelFactory(() -> new NioSocketChannel(client))
                            .handler(new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                                @Override
                                                protected void channelRead0(ChannelHandlerContext ctx,
                                                                            FullHttpResponse res) {
                                                    answer.complete(res.status().code() + " "
                                                            + res.content().toString(StandardCharsets.UTF_8));
                                                }
                                            });
                                }
                            }).connect(new InetSocketAddress(HubNet.address(1), 8080)).sync().channel();
                    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/doc/" + i);
                    req.headers().set(HttpHeaderNames.HOST, "198.18.0.1");
                    c.writeAndFlush(req);
                    assertEquals("200 you asked for /doc/" + i, answer.get(60, TimeUnit.SECONDS));
                    c.close().sync();
                }
                listener.close().sync();
            } finally {
                cg.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
                sg.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
            }
        }
    }
}
