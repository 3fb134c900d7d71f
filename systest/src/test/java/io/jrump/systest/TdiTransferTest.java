package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.tdi.Tdi;
import io.jrump.netinet.tdi.TdiAcceptRequest;
import io.jrump.netinet.tdi.TdiAddress;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.netinet.tdi.TdiEventHandler;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport driver interface between two kernels on a hub, over a link that loses, duplicates and
 * reorders frames from a fixed seed: a kernel client in the server kernel answers each request with an
 * object sent in 64 KB chunks, each chunk sent from the previous chunk's send completion, as AFPA's tdi
 * mode walks a pin array (seed {@code 001_4c2098c7f46ed350}). The user-level client in the other
 * kernel must read the objects byte-exact, and every completion must come once, in order, without an
 * error; and a request the client declines reaches a user-level server with every byte intact. Time is
 * the shared virtual clock of {@link TcpLossyTransferTest}.
 */
class TdiTransferTest {
    static final int PORT = 80;
    static final int CHUNK = 64 * 1024;
    static final int OBJECT = 5 * CHUNK + 1234;

    /** A server that answers "GET\r\n\r\n" with the object in chunks and "PASS..." by passing to the user. */
    static final class ChunkServer implements TdiEventHandler {
        final byte[] object;
        final MbufPool pool;
        /** One line per completion and failure, in order: what the test checks. */
        final List<String> log = new CopyOnWriteArrayList<>();

        ChunkServer(byte[] object, MbufPool pool) {
            this.object = object;
            this.pool = pool;
        }

        @Override
        public TdiAcceptRequest connectEvent(TdiAddress address, SockAddr peer) {
            return new TdiAcceptRequest((r, c, errno) -> {
                if (errno != 0) {
                    log.add("accept failed " + errno);
                }
            }, null);
        }

        @Override
        public int receiveEvent(TdiConnection c, Mbuf data, int indicated, int available) {
            String s = new String(MbufCopy.toBytes(data), StandardCharsets.ISO_8859_1);
            if (s.startsWith("PASS")) {
                c.passToUser();
                return 0;
            }
            if (!s.endsWith("\r\n\r\n")) {
                return 0;
            }
            sendChunk(c, 0);
            return available;
        }

        private void sendChunk(TdiConnection c, int off) {
            int len = Math.min(CHUNK, object.length - off);
            int err = c.send(MbufCopy.fromBytes(pool, object, off, len), this::chunkSent, off + len);
            if (err != 0) {
                log.add("send refused " + err);
            }
        }

        private void chunkSent(TdiConnection c, Object end, int errno) {
            int off = (Integer) end;
            log.add("chunk to " + off + " errno " + errno);
            if (errno != 0) {
                return;
            }
            if (off < object.length) {
                sendChunk(c, off);
            } else {
                c.disconnect(false);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void objectsInChunksArriveByteExactAndEveryCompletionComesOnceInOrder(long seed) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("client");
            Kernel b = net.boot("server");
            String emu = "loss=5%,dup=1%,reorder=5%,reorder-delay=3ms,delay=2ms,limit=2000";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + seed), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (seed + 100)),
                    "198.18.0.2/24");
            byte[] object = new byte[OBJECT];
            new SplittableRandom(seed).nextBytes(object);
            ChunkServer server = new ChunkServer(object, b.service(MbufPool.class));
            TdiAddress addr = b.service(Tdi.class).open(PORT, server);
            Syscalls sa = a.syscalls();
            int requests = 3;
            List<byte[]> got = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread client = new Thread(() -> {
                try {
                    for (int i = 0; i < requests; i++) {
                        got.add(fetch(sa, "GET /" + i + "\r\n\r\n"));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "client");
            client.start();
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), client, () -> failure.get() != null,
                    () -> got.size() + inet(a).tcp().stats().get("packets received")
                            + inet(b).tcp().stats().get("packets received"), client);
            client.join(10_000);
            if (failure.get() != null) {
                fail("the client failed; server log " + server.log, failure.get());
            }
            assertEquals(requests, got.size());
            for (byte[] g : got) {
                assertArrayEquals(object, g, "the object arrives byte-exact");
            }
            StringBuilder want = new StringBuilder();
            for (int i = 0; i < requests; i++) {
                for (int off = CHUNK; ; off += CHUNK) {
                    want.append("chunk to ").append(Math.min(off, OBJECT)).append(" errno 0\n");
                    if (off >= OBJECT) {
                        break;
                    }
                }
            }
            assertEquals(want.toString(), String.join("\n", server.log) + "\n",
                    "each chunk's completion once, in order, with no error");
            assertTrue(inet(b).tcp().stats().get("data packets retransmitted") > 0, "the link lost segments");
            addr.close();
            clock.advance(130_000_000_000L);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3})
    void aPassedRequestReachesTheUserServerIntact(long seed) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("client");
            Kernel b = net.boot("server");
            String emu = "loss=5%,reorder=5%,reorder-delay=3ms,delay=2ms,limit=2000";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + seed), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (seed + 100)),
                    "198.18.0.2/24");
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", PORT));
            sb.listen(l, 5);
            ChunkServer server = new ChunkServer(new byte[1], b.service(MbufPool.class));
            TdiAddress addr = b.service(Tdi.class).open(PORT, server);
            byte[] body = new byte[20_000];
            new SplittableRandom(seed).nextBytes(body);
            byte[] request = concat("PASS /upload\r\n".getBytes(StandardCharsets.ISO_8859_1), body);
            AtomicReference<byte[]> userGot = new AtomicReference<>();
            AtomicReference<byte[]> clientGot = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread user = new Thread(() -> {
                try {
                    int fd = sb.accept(l, null);
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(65536);
                    while (in.size() < request.length) {
                        buf.clear();
                        int n = sb.read(fd, buf);
                        if (n == 0) {
                            break;
                        }
                        in.write(buf.array(), 0, n);
                    }
                    userGot.set(in.toByteArray());
                    sb.write(fd, ByteBuffer.wrap("served by user".getBytes(StandardCharsets.ISO_8859_1)));
                    sb.close(fd);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "user-server");
            Thread client = new Thread(() -> {
                try {
                    clientGot.set(fetch(a.syscalls(), new String(request, StandardCharsets.ISO_8859_1)));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "client");
            user.start();
            client.start();
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), client, () -> failure.get() != null,
                    () -> inet(a).tcp().stats().get("packets received") + inet(b).tcp().stats().get("packets received"),
                    client, user);
            client.join(10_000);
            user.join(10_000);
            if (failure.get() != null) {
                fail("failed; server log " + server.log, failure.get());
            }
            assertArrayEquals(request, userGot.get(), "the user server reads every byte the client sent");
            assertEquals("served by user", new String(clientGot.get(), StandardCharsets.ISO_8859_1));
            assertEquals(List.of(), server.log, "the kernel client sent nothing");
            addr.close();
            sb.close(l);
            clock.advance(130_000_000_000L);
        }
    }

    /** Connects to the server, sends {@code request} and reads until the server closes. */
    static byte[] fetch(Syscalls s, String request) throws Exception {
        int fd = tcp(s);
        s.connect(fd, SockAddr.in("198.18.0.2", PORT));
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
        while (out.hasRemaining()) {
            s.write(fd, out);
        }
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        for (;;) {
            buf.clear();
            int n = s.read(fd, buf);
            if (n == 0) {
                break;
            }
            in.write(buf.array(), 0, n);
        }
        s.close(fd);
        return in.toByteArray();
    }

    static byte[] concat(byte[] x, byte[] y) {
        byte[] r = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
