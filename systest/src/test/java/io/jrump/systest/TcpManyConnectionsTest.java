package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A thousand connections between two kernels, all open at once: every one exchanges its own message
 * and closes, and afterwards neither kernel holds a PCB, a TIME_WAIT entry or an mbuf for them. A leak
 * of one PCB or one mbuf per connection is invisible in a single-connection test and obvious here.
 */
class TcpManyConnectionsTest {
    private static final int CONNECTIONS = 1000;
    private static final int CLIENT_THREADS = 4;

    @Test
    void thousandConcurrentConnectionsOpenExchangeAndCloseWithoutLeaks() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("client");
            Kernel b = net.boot("server");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            // TIME_WAIT lasts 2*MSL (RFC 9293 section 3.4.2); MSL 0, without MSL truncation's per-class
            // values, lets it end at the next tick so the test can see every PCB go.
            for (Kernel k : new Kernel[] {a, b}) {
                k.syscalls().sysctlWrite("net.inet.tcp.mslt.enable", "0");
                k.syscalls().sysctlWrite("net.inet.tcp.msl", "0");
            }
            long mbufsBefore = a.service(MbufPool.class).stats().mbufsInUse()
                    + b.service(MbufPool.class).stats().mbufsInUse();
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sb.bind(l, SockAddr.in("0.0.0.0", 7007));
            sb.listen(l, 128);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS + 1);
            try {
                Future<List<Integer>> accepted = pool.submit(() -> {
                    List<Integer> fds = new ArrayList<>();
                    for (int i = 0; i < CONNECTIONS; i++) {
                        fds.add(sb.accept(l, null));
                    }
                    return fds;
                });
                List<Future<int[]>> opened = new ArrayList<>();
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    opened.add(pool.submit(() -> {
                        int[] fds = new int[CONNECTIONS / CLIENT_THREADS];
                        for (int i = 0; i < fds.length; i++) {
                            fds[i] = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                            sa.connect(fds[i], SockAddr.in("198.18.0.2", 7007));
                        }
                        return fds;
                    }));
                }
                List<Integer> server = accepted.get();
                List<Integer> client = new ArrayList<>();
                for (Future<int[]> f : opened) {
                    for (int fd : f.get()) {
                        client.add(fd);
                    }
                }
                assertEquals(CONNECTIONS, server.size());
                assertEquals(CONNECTIONS, client.size());
                assertEquals(CONNECTIONS + 1, inet(b).tcp().pcbCount(), "the listener and every accepted connection");
                assertEquals(CONNECTIONS, inet(a).tcp().pcbCount());

                // Every client names itself; the server answers each with what it read, so a message
                // delivered to the wrong connection is caught.
                for (int i = 0; i < CONNECTIONS; i++) {
                    byte[] hello = ("hello from " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    sa.write(client.get(i), ByteBuffer.wrap(hello));
                }
                List<Future<?>> servers = new ArrayList<>();
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    int first = t;
                    servers.add(pool.submit(() -> {
                        for (int i = first; i < CONNECTIONS; i += CLIENT_THREADS) {
                            String line = readLine(sb, server.get(i));
                            sb.write(server.get(i), ByteBuffer.wrap(("echo " + line).getBytes(StandardCharsets.US_ASCII)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : servers) {
                    f.get();
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    assertEquals("echo hello from " + i + "\n", readLine(sa, client.get(i)));
                }

                // The client closes first and so holds the TIME_WAITs; the server sees end of stream
                // on each connection and closes too.
                for (int fd : client) {
                    sa.close(fd);
                }
                for (int fd : server) {
                    assertEquals(0, sb.read(fd, ByteBuffer.allocate(16)), "end of stream after the peer's FIN");
                    sb.close(fd);
                }
                sb.close(l);
            } finally {
                pool.shutdownNow();
            }
            await("every PCB and TIME_WAIT entry to go", () -> inet(a).tcp().pcbCount() == 0
                    && inet(b).tcp().pcbCount() == 0 && inet(a).tcp().timeWaitCount() == 0
                    && inet(a).tcp().vestigialCount() == 0);
            await("every mbuf back in its pool", () -> a.service(MbufPool.class).stats().mbufsInUse()
                    + b.service(MbufPool.class).stats().mbufsInUse() <= mbufsBefore);
            assertEquals(0, inet(a).tcp().stats().get("connections dropped"), "no connection was dropped");
            assertEquals(0, inet(b).tcp().stats().get("connections dropped"));
        }
    }

    private static String readLine(Syscalls s, int fd) throws ErrnoException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (;;) {
            one.clear();
            if (s.read(fd, one) == 0) {
                return sb.toString();
            }
            char c = (char) one.get(0);
            sb.append(c);
            if (c == '\n') {
                return sb.toString();
            }
        }
    }
}
