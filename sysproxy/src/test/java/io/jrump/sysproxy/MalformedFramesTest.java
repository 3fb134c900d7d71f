package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.HandshakeFrame;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.SyscallFrame;
import static io.jrump.kern.syscall.SyscallNumbers.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.rumpclient.RumpClient;
import io.jrump.testkit.RumpKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken clients: each bad frame ends that one connection (and its process) with a logged
 * reason, or, where the frame is well formed but names something the kernel lacks, fails that one call;
 * a well-behaved client connected throughout keeps working.
 */
@RumpKernel(components = "rumpnet_netinet")
class MalformedFramesTest {
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private RumpServer server;
    private RumpClient good;
    private Path sock;
    private Kernel kernel;

    @BeforeEach
    void start(Kernel k, @TempDir Path dir) throws IOException {
        kernel = k;
        sock = dir.resolve("sock");
        server = RumpServer.builder(k).url("unix://" + sock).log(logs::add).start();
        good = RumpClient.connect(server.url(), "bystander");
    }

    @AfterEach
    void stop() {
        good.close();
        server.close();
    }

    private static final long[] NO_INTS = new long[6];
    private static final Object[] NO_OBJS = new Object[6];
    private static final int[] IN = new int[6];

    /** The bad connection was closed and logged, and only the good client is left. */
    private void assertEndedWith(RawClient raw, String reason) throws Exception {
        assertTrue(raw.closedByServer());
        Probe.await(() -> server.connectionCount() == 1 && logs.stream().anyMatch(l -> l.contains(reason)),
                "the connection ended with '" + reason + "'");
        assertTrue(logs.stream().anyMatch(l -> l.contains(reason) && l.contains("connection closed")),
                "logged '" + reason + "': " + logs);
        assertEquals(1, server.connectionCount());
        assertEquals(List.of(good.pid()), server.clientPids());
        assertEquals(3, kernel.procs().size(), "only 0, 1 and the bystander");
        assertEquals(good.pid(), good.getpid());
    }

    @Test
    void truncatedFrame() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("trunc");
            SyscallFrame.write(raw.w, 2, SYS_getpid, NO_INTS, NO_OBJS, IN, ArgCodecs.core());
            ByteBuffer f = raw.w.finish();
            byte[] part = new byte[7];
            f.get(part);
            raw.send(part);
            raw.ch.shutdownOutput();
            assertEndedWith(raw, "truncated frame");
        }
    }

    @Test
    void oversizedLength() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("huge");
            raw.send(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 2, 0, 0, 0, 1});
            assertEndedWith(raw, "frame length 2147483647 outside");
        }
    }

    @Test
    void lengthTooShortForAHeader() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.send(new byte[] {0, 0, 0, 2, 1, 1});
            assertEndedWith(raw, "frame length 2 outside");
        }
    }

    @Test
    void badVersionIsAnsweredThenClosed() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.w.begin(Protocol.T_HANDSHAKE, 1).u16(99).u8(Protocol.HS_NEW).string("future", 255);
            raw.send(raw.w.finish());
            RawClient.Reply r = raw.reply();
            assertEquals(Errno.ENOTSUP, r.errno);
            assertTrue(r.detail.contains("version " + Protocol.VERSION) && r.detail.contains("99"), r.detail);
            assertEndedWith(raw, "client speaks protocol version 99");
        }
    }

    @Test
    void unknownFrameType() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("types");
            raw.w.begin(Protocol.T_REPLY, 5).u8(0);
            raw.send(raw.w.finish());
            assertEndedWith(raw, "may not send frame type 4");
        }
    }

    @Test
    void syscallBeforeHandshake() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            SyscallFrame.write(raw.w, 1, SYS_getpid, NO_INTS, NO_OBJS, IN, ArgCodecs.core());
            raw.send(raw.w.finish());
            assertEndedWith(raw, "before the handshake");
        }
    }

    @Test
    void secondHandshake() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("twice");
            HandshakeFrame.write(raw.w, 2, Protocol.HS_NEW, "again", null);
            raw.send(raw.w.finish());
            assertEndedWith(raw, "a second handshake");
        }
    }

    @Test
    void tooManyArguments() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("args");
            raw.w.begin(Protocol.T_SYSCALL, 2).u16(SYS_getpid).u8(7);
            for (int k = 0; k < 7; k++) {
                raw.w.i64(k);
            }
            raw.w.u8(0);
            raw.send(raw.w.finish());
            assertEndedWith(raw, "7 integer arguments");
        }
    }

    @Test
    void hugeElementCount() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.hello("count");
            raw.w.begin(Protocol.T_SYSCALL, 2).u16(SYS_poll).u8(0).u8(1).u8(Protocol.V_POLLFDS).i32(1_000_000);
            raw.send(raw.w.finish());
            assertEndedWith(raw, "exceeds the limit of 65536");
        }
    }

    @Test
    void forkWithAForgedCookie() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            HandshakeFrame.write(raw.w, 1, Protocol.HS_FORK, "thief", new byte[Protocol.COOKIE_LEN]);
            raw.send(raw.w.finish());
            RawClient.Reply r = raw.reply();
            assertEquals(Errno.ESRCH, r.errno);
            assertEndedWith(raw, "fork with an unknown cookie");
        }
    }

    @Test
    void unknownSyscallIsEnosysAndTheConnectionGoesOn() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            long pid = raw.hello("nosys");
            RawClient.Reply r = raw.syscall(2, 499, NO_INTS, NO_OBJS, IN);
            assertEquals(Errno.ENOSYS, r.errno);
            assertEquals(2, r.reqno);
            r = raw.syscall(3, 0xffff, NO_INTS, NO_OBJS, IN);
            assertEquals(Errno.ENOSYS, r.errno);
            r = raw.syscall(4, SYS_getpid, NO_INTS, NO_OBJS, IN);
            assertEquals(0, r.errno);
            assertEquals(pid, r.ret);
        }
        assertTrue(logs.isEmpty(), logs.toString());
    }

    @Test
    void argumentsOfTheWrongKindAreEfault() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            long pid = raw.hello("kinds");
            Object[] o = new Object[6];
            o[1] = 42;
            RawClient.Reply r = raw.syscall(2, SYS___sysctl, NO_INTS, o, IN);
            assertEquals(Errno.EFAULT, r.errno, "an Integer where the kernel wants a name");
            raw.w.begin(Protocol.T_SYSCALL, 3).u16(SYS_ioctl).u8(0).u8(3).u8(Protocol.V_NULL).u8(Protocol.V_NULL)
                    .u8(Protocol.V_RECORD).string("no-such-type", 64).i32(2).u16(0);
            raw.send(raw.w.finish());
            r = raw.reply();
            assertEquals(Errno.EFAULT, r.errno);
            assertTrue(r.detail.contains("no-such-type"), r.detail);
            r = raw.syscall(4, SYS_getpid, NO_INTS, NO_OBJS, IN);
            assertEquals(pid, r.ret);
        }
        assertTrue(logs.isEmpty(), "a client's bad arguments are its errno, not news for the log: " + logs);
    }

    @Test
    void garbage() throws Exception {
        try (RawClient raw = new RawClient(sock)) {
            raw.send("GET / HTTP/1.0\r\n\r\n".getBytes());
            assertEndedWith(raw, "frame length");
        }
    }

    /**
     * Four bytes of request can ask for a megabyte of buffer: past the connection's budget the call fails
     * with ENOBUFS before it runs, and the connection goes on.
     */
    @Test
    void argumentBuffersPastTheBudgetAreEnobufs(@TempDir Path dir) throws Exception {
        Path s2 = dir.resolve("tight");
        try (RumpServer tight = RumpServer.builder(kernel).url("unix://" + s2).maxConnectionBufferBytes(256 << 10)
                .log(logs::add).start();
             RawClient raw = new RawClient(s2)) {
            long pid = raw.hello("greedy");
            raw.w.begin(Protocol.T_SYSCALL, 2).u16(SYS_read).u8(1).i64(0).u8(2).u8(Protocol.V_NULL)
                    .u8(Protocol.V_BUF_OUT | Protocol.F_BACK).i32(Protocol.MAX_DATA);
            raw.send(raw.w.finish());
            RawClient.Reply r = raw.reply();
            assertEquals(Errno.ENOBUFS, r.errno, r.detail);
            assertEquals(pid, raw.syscall(3, SYS_getpid, NO_INTS, NO_OBJS, IN).ret);
            assertTrue(tight.bufferBytes() < 256 << 10, "nothing of the refused buffer is held: " + tight.bufferBytes());
        }
    }

    @Test
    void inflightLimitAnswersEagain(@TempDir Path dir) throws Exception {
        Path s2 = dir.resolve("small");
        try (RumpServer small = RumpServer.builder(kernel).url("unix://" + s2).maxInflight(1).log(logs::add).start();
             RawClient raw = new RawClient(s2)) {
            raw.hello("greedy");
            long[] i = new long[6];
            i[1] = -1;
            Object[] none = new Object[6];
            none[0] = new io.jrump.kern.file.PollFd[0];
            int[] modes = new int[6];
            SyscallFrame.write(raw.w, 2, SYS_poll, i, none, modes, ArgCodecs.core());
            raw.send(raw.w.finish());
            SyscallFrame.write(raw.w, 3, SYS_poll, i, none, modes, ArgCodecs.core());
            raw.send(raw.w.finish());
            RawClient.Reply r = raw.reply();
            assertEquals(3, r.reqno);
            assertEquals(Errno.EAGAIN, r.errno, "the second blocking call is over the limit of 1");
            r = raw.syscall(4, SYS_getpid, NO_INTS, NO_OBJS, IN);
            assertEquals(4, r.reqno);
        }
    }
}
