package io.jrump.examples.httpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.examples.TapServer;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import io.jrump.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The user-level server as a client in another kernel on a hub sees it: the bytes of each answer for
 * GET, HEAD, ranges, conditional requests, errors, keep-alive, pipelining and requests split at every byte.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserHttpdTest {
    static final byte[] INDEX = "<h1>hello</h1>\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] BIG = new byte[300_000];

    Kernel server;
    Kernel client;
    UserHttpd httpd;

    @BeforeEach
    void boot() throws Exception {
        Hub hub = new Hub("t");
        server = boot("server", "rumpvfs", "rumpnet_netinet");
        client = boot("client", "rumpnet_netinet");
        up(server, hub, "198.18.0.1");
        up(client, hub, "198.18.0.2");
        for (int i = 0; i < BIG.length; i++) {
            BIG[i] = (byte) (i * 31 + i / 7);
        }
        TapServer.writeFile(server.syscalls(), "/www/index.html", INDEX);
        TapServer.writeFile(server.syscalls(), "/www/d/big.bin", BIG);
        httpd = UserHttpd.start(server.syscalls(), 80, "/www");
    }

    @AfterEach
    void halt() {
        httpd.close();
        HaltReport c = client.halt();
        HaltReport s = server.halt();
        assertTrue(c.clean(), c.toString());
        assertTrue(s.clean(), s.toString());
    }

    static Kernel boot(String name, String... comps) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(2).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).component(comps).build());
    }

    static void up(Kernel k, Hub hub, String addr) throws Exception {
        EtherIfs.attach(k, "shmif0", hub.attach(), 1500);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    int connect() throws Exception {
        Syscalls sys = client.syscalls();
        int fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.connect(fd, SockAddr.in("198.18.0.1", 80));
        return fd;
    }

    void send(int fd, String s) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            client.syscalls().write(fd, b);
        }
    }

    /** Everything until the server closes the connection. */
    byte[] readToEnd(int fd) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(65536);
        for (;;) {
            b.clear();
            int n = client.syscalls().read(fd, b);
            if (n <= 0) {
                client.syscalls().close(fd);
                return out.toByteArray();
            }
            out.write(b.array(), 0, n);
        }
    }

    /** One response: head text and body, by Content-Length (none for HEAD and 304). */
    record Answer(String head, byte[] body) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        String field(String name) {
            for (String l : head.split("\r\n")) {
                if (l.toLowerCase().startsWith(name.toLowerCase() + ":")) {
                    return l.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    Answer read(int fd, boolean head) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(65536);
        for (;;) {
            byte[] have = pending.toByteArray();
            int end = RumpFetch.headEnd(have, have.length);
            if (end >= 0) {
                String h = new String(have, 0, end, StandardCharsets.ISO_8859_1);
                Answer a = new Answer(h, new byte[0]);
                int len = head || a.status() == 304 ? 0 : Integer.parseInt(a.field("Content-Length"));
                if (have.length >= end + len) {
                    pending.reset();
                    pending.write(have, end + len, have.length - end - len);
                    return new Answer(h, Arrays.copyOfRange(have, end, end + len));
                }
            }
            b.clear();
            int n = client.syscalls().read(fd, b);
            assertTrue(n > 0, "the server closed the connection early");
            pending.write(b.array(), 0, n);
        }
    }

    @Test
    void getHeadAndKeepAliveOnOneConnection() throws Exception {
        int fd = connect();
        send(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Answer a = read(fd, false);
        assertEquals(200, a.status());
        assertArrayEquals(INDEX, a.body());
        assertEquals("text/html", a.field("Content-Type"));
        assertTrue(a.field("Date").endsWith(" GMT"));
        send(fd, "HEAD /d/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        Answer h = read(fd, true);
        assertEquals("300000", h.field("Content-Length"));
        send(fd, "GET /d/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        assertArrayEquals(BIG, read(fd, false).body());
        send(fd, "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Answer last = read(fd, false);
        assertEquals("close", last.field("Connection"));
        assertEquals(0, readToEnd(fd).length);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        int fd = connect();
        send(fd, "GET /d/big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.0\r\n\r\n");
        assertArrayEquals(BIG, read(fd, false).body());
        assertEquals(404, read(fd, false).status());
        assertEquals(200, read(fd, true).status());
        Answer a = read(fd, false);
        assertTrue(a.head().startsWith("HTTP/1.1 200 OK\r\n"), a.head()); // a server sends its own version (RFC 9110 section 6.2)
        assertEquals("close", a.field("Connection"));
        assertArrayEquals(INDEX, a.body());
        assertEquals(0, readToEnd(fd).length);
    }

    @Test
    void aRequestSplitAtEveryByteIsOneRequest() throws Exception {
        int fd = connect();
        String req = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int i = 0; i < req.length(); i++) {
            send(fd, req.substring(i, i + 1));
        }
        assertArrayEquals(INDEX, read(fd, false).body());
        client.syscalls().close(fd);
    }

    @Test
    void rangesAndConditionalRequests() throws Exception {
        int fd = connect();
        send(fd, "GET /d/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\n\r\n");
        Answer r = read(fd, false);
        assertEquals(206, r.status());
        assertEquals("bytes 100-199/300000", r.field("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(BIG, 100, 200), r.body());
        send(fd, "GET /d/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-10\r\n\r\n");
        assertArrayEquals(Arrays.copyOfRange(BIG, BIG.length - 10, BIG.length), read(fd, false).body());
        send(fd, "GET /d/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=300000-\r\n\r\n");
        Answer u = read(fd, false);
        assertEquals(416, u.status());
        assertEquals("bytes */300000", u.field("Content-Range"));
        send(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        String lm = read(fd, false).field("Last-Modified");
        send(fd, "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: " + lm + "\r\n\r\n");
        Answer nm = read(fd, false);
        assertEquals(304, nm.status());
        assertEquals(0, nm.body().length);
        client.syscalls().close(fd);
    }

    @Test
    void errorsHaveBodiesAndBadRequestsCloseTheConnection() throws Exception {
        int fd = connect();
        send(fd, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        Answer m = read(fd, false);
        assertEquals(405, m.status());
        assertEquals("GET, HEAD", m.field("Allow"));
        assertTrue(new String(m.body(), StandardCharsets.US_ASCII).contains("405 Method Not Allowed"));
        send(fd, "GET /d/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(400, read(fd, false).status());
        assertEquals(0, readToEnd(fd).length);

        fd = connect();
        send(fd, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(new String(readToEnd(fd), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 414 "));
        fd = connect();
        send(fd, "GET / HTTP/1.1\r\nHost: x\r\n" + "X-Big: y\r\n".repeat(2000) + "\r\n");
        assertTrue(new String(readToEnd(fd), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 431 "));
        fd = connect();
        send(fd, "GET / HTTP/1.1\r\n\r\n");
        assertTrue(new String(readToEnd(fd), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 400 "));
    }

    @Test
    void connectionPerRequestEndsWithTheServersClose() throws Exception {
        for (int i = 0; i < 50; i++) {
            int fd = connect();
            send(fd, "GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            byte[] all = readToEnd(fd);
            assertTrue(new String(all, StandardCharsets.ISO_8859_1).endsWith("<h1>hello</h1>\n"));
        }
        assertEquals(50, httpd.requests());
    }
}
