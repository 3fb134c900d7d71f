package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.rumpclient.RumpClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files through {@code RUMP_SERVER}: what one client writes another reads, under the server's permissions. */
class RemoteFileTest {
    @Test
    void oneClientWritesAFileAndAnotherReadsItBackByteExact(@TempDir Path dir) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpvfs").build());
        try (RumpServer s = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                .credPolicy(CredPolicy.everyone(Cred.ROOT)).start()) {
            byte[] data = new byte[300_000];
            new Random(7).nextBytes(data);
            try (RumpClient w = RumpClient.connect(s.url(), "writer")) {
                int fd = w.open("/tmp/blob", Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    ByteBuffer chunk = src.slice(src.position(), Math.min(65536, src.remaining()));
                    src.position(src.position() + w.write(fd, chunk));
                }
                w.close(fd);
            }
            try (RumpClient r = RumpClient.connect(s.url(), "reader")) {
                Stat st = r.stat("/tmp/blob");
                assertEquals(data.length, st.size());
                int fd = r.open("/tmp/blob", Fcntl.O_RDONLY, 0);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(50_000);
                for (int n; (n = r.read(fd, b.clear())) > 0; ) {
                    got.write(b.array(), 0, n);
                }
                r.close(fd);
                assertArrayEquals(data, got.toByteArray());
            }
        } finally {
            k.halt();
        }
    }

    @Test
    void aClientOfUid1000CannotReadARootFileOfMode0600(@TempDir Path dir) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpvfs").build());
        try (RumpServer root = RumpServer.builder(k).url("unix://" + dir.resolve("root"))
                .credPolicy(CredPolicy.everyone(Cred.ROOT)).start();
             RumpServer user = RumpServer.builder(k).url("unix://" + dir.resolve("user"))
                .credPolicy(CredPolicy.everyone(new Cred(1000, 1000, new int[0]))).start()) {
            try (RumpClient c = RumpClient.connect(root.url(), "root")) {
                int fd = c.open("/tmp/secret", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0600);
                c.write(fd, ByteBuffer.wrap("secret\n".getBytes()));
                c.close(fd);
            }
            try (RumpClient c = RumpClient.connect(user.url(), "user")) {
                ErrnoException e = assertThrows(ErrnoException.class, () -> c.open("/tmp/secret", Fcntl.O_RDONLY, 0));
                assertEquals(Errno.EACCES, e.errno());
                assertEquals(Errno.EPERM, assertThrows(ErrnoException.class,
                        () -> c.chown("/tmp/secret", 1000, 1000)).errno());
                assertEquals(0600, c.stat("/tmp/secret").mode() & 07777, "stat needs no read permission");
            }
        } finally {
            k.halt();
        }
    }
}
