package io.jrump.sysproxy;

import static io.jrump.kern.syscall.SyscallNumbers.SYS_getpid;
import static io.jrump.kern.syscall.SyscallNumbers.SYS_readv;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.rumpclient.RumpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code readv}/{@code writev} (rows 120 and 121) as a program makes them, in-process and through
 * {@code RUMP_SERVER}: each scenario runs against both and must give the same answers.
 */
class VectorIoTest {
    private Kernel k;
    private RumpServer server;
    private RumpClient client;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        k = Kernel.boot(KernelConfig.builder().component("rumpvfs").build());
        server = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                .credPolicy(CredPolicy.everyone(Cred.ROOT)).start();
        client = RumpClient.connect(server.url(), "vector");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        k.halt();
    }

    private Syscalls[] both() {
        return new Syscalls[] {k.proc1().syscalls(), client};
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void writevGathersAndReadvScattersInOrder() throws Exception {
        int round = 0;
        for (Syscalls sys : both()) {
            String path = "/tmp/v" + round++;
            int fd = sys.open(path, Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
            ByteBuffer a = ascii("xxab");
            a.position(2);
            ByteBuffer[] out = {a, ByteBuffer.allocate(0), ascii("cdefg")};
            assertEquals(7, sys.writev(fd, out));
            assertFalse(out[0].hasRemaining() || out[2].hasRemaining(), "the buffers are consumed");
            assertEquals(7, sys.lseek(fd, 0, Fcntl.SEEK_CUR), "one offset update of 7");
            sys.lseek(fd, 0, Fcntl.SEEK_SET);
            ByteBuffer[] in = {ByteBuffer.allocate(3), ByteBuffer.allocate(0), ByteBuffer.allocate(10)};
            assertEquals(7, sys.readv(fd, in));
            assertEquals("abc", new String(in[0].array(), StandardCharsets.US_ASCII));
            assertEquals(4, in[2].position());
            assertEquals("defg", new String(in[2].array(), 0, 4, StandardCharsets.US_ASCII));
            assertEquals(0, sys.readv(fd, new ByteBuffer[] {ByteBuffer.allocate(4)}), "end of file");
            sys.close(fd);
        }
    }

    /** Three megabytes in 600 KB pieces: a remote call may be short (a megabyte a call), never wrong. */
    @Test
    void aLargeVectorRoundTripsByteExact() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(16).nextBytes(data);
        int round = 0;
        for (Syscalls sys : both()) {
            String path = "/tmp/big" + round++;
            int fd = sys.open(path, Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
            ByteBuffer[] out = pieces(ByteBuffer.wrap(data), 600_000);
            long written = 0;
            while (written < data.length) {
                long n = sys.writev(fd, out);
                assertTrue(n > 0, "progress");
                written += n;
            }
            assertEquals(data.length, sys.fstat(fd).size());
            sys.lseek(fd, 0, Fcntl.SEEK_SET);
            byte[] back = new byte[data.length];
            ByteBuffer[] in = pieces(ByteBuffer.wrap(back), 700_000);
            long read = 0;
            while (read < data.length) {
                long n = sys.readv(fd, in);
                assertTrue(n > 0, "progress");
                read += n;
            }
            assertArrayEquals(data, back);
            sys.close(fd);
        }
    }

    private static ByteBuffer[] pieces(ByteBuffer whole, int size) {
        int n = (whole.remaining() + size - 1) / size;
        ByteBuffer[] v = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            v[i] = whole.slice(i * size, Math.min(size, whole.remaining() - i * size));
        }
        return v;
    }

    /**
     * On a full file system {@code writev} writes what fits and says so: the buffers advance by exactly
     * the count returned, the later ones untouched; the next call is ENOSPC.
     */
    @Test
    void aShortWritevAdvancesTheBuffersByWhatWasWritten() throws Exception {
        Syscalls local = k.proc1().syscalls();
        int round = 0;
        for (Syscalls sys : both()) {
            String mnt = "/small" + round++;
            local.mkdir(mnt, 0777);
            local.mount("rumpfs", mnt, 0, "size=64k");
            int fd = sys.open(mnt + "/f", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644);
            ByteBuffer[] v = {ByteBuffer.allocate(16 << 10), ByteBuffer.allocate(128 << 10), ByteBuffer.allocate(1000)};
            long n = sys.writev(fd, v);
            assertTrue(n > 16 << 10 && n < 64 << 10, "a short write past the first buffer: " + n);
            assertEquals(16 << 10, v[0].position());
            assertEquals(n - (16 << 10), v[1].position());
            assertEquals(0, v[2].position(), "the last buffer is untouched");
            assertEquals(n, sys.fstat(fd).size());
            assertEquals(Errno.ENOSPC, errno(() -> sys.writev(fd, new ByteBuffer[] {ByteBuffer.allocate(4096)})));
            sys.close(fd);
        }
    }

    @Test
    void anEmptyVectorOrMoreThanIovMaxBuffersIsEinval() throws Exception {
        for (Syscalls sys : both()) {
            int fd = sys.open("/tmp/iov", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
            ByteBuffer[] tooMany = new ByteBuffer[Syscalls.IOV_MAX + 1];
            Arrays.setAll(tooMany, i -> ascii("x"));
            assertEquals(Errno.EINVAL, errno(() -> sys.writev(fd, tooMany)));
            assertEquals(0, tooMany[0].position(), "nothing was written");
            assertEquals(Errno.EINVAL, errno(() -> sys.readv(fd, new ByteBuffer[0])));
            assertEquals(Errno.EINVAL, errno(() -> sys.writev(fd, new ByteBuffer[0])));
            ByteBuffer[] most = Arrays.copyOf(tooMany, Syscalls.IOV_MAX);
            sys.ftruncate(fd, 0);
            sys.lseek(fd, 0, Fcntl.SEEK_SET);
            assertEquals(Syscalls.IOV_MAX, sys.writev(fd, most), "IOV_MAX buffers are allowed");
            assertEquals(Errno.EBADF, errno(() -> sys.readv(999, new ByteBuffer[] {ByteBuffer.allocate(1)})));
            sys.close(fd);
        }
    }

    /**
     * What C calls a negative total (an {@code iov_len} past {@code SSIZE_MAX}) reaches the server as a
     * negative length: the call is EINVAL, the connection goes on.
     */
    @Test
    void aNegativeLengthOnTheWireIsEinval(@TempDir Path dir) throws Exception {
        try (RawClient raw = new RawClient(Path.of(server.url().substring("unix://".length())))) {
            long pid = raw.hello("negative");
            raw.w.begin(Protocol.T_SYSCALL, 2).u16(SYS_readv).u8(0).u8(2).u8(Protocol.V_NULL)
                    .u8(Protocol.V_BUFS_OUT | Protocol.F_BACK).i32(2).i32(16).i32(-16);
            raw.send(raw.w.finish());
            RawClient.Reply r = raw.reply();
            assertEquals(Errno.EINVAL, r.errno, r.detail);
            assertEquals(pid, raw.syscall(3, SYS_getpid, new long[6], new Object[6], new int[6]).ret);
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws ErrnoException;
    }

    private static int errno(Call c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("no error");
    }
}
