package io.jrump.vfs;

import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_APPEND;
import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.kern.vfs.Fcntl.O_TRUNC;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** NetBSD's {@code tests/fs/vfs/t_io.c} against the {@link Vfs} facade. */
abstract class IoSuite {
    abstract MountFactory fs();

    private static final String TESTSTR = "this is a string.  collect enough and you'll have Em\0";
    private static final int PAGE = 4096;

    private Harness h;
    private Harness.P p;
    private String mp;

    private void enter(Kernel k) throws Exception {
        h = new Harness(k);
        mp = fs().prepare(h);
        p = h.root();
        p.chdir(mp);
    }

    @Test
    void holywrite(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("file", O_RDWR | O_CREAT | O_TRUNC, 0666);
        p.pwrite(fd, new byte[] {'A'}, PAGE);
        p.pwrite(fd, new byte[] {'B', 'B'}, PAGE - 1);
        byte[] b2 = p.pread(fd, PAGE + 1, 0);
        byte[] b3 = new byte[PAGE + 1];
        b3[PAGE - 1] = 'B';
        b3[PAGE] = 'B';
        assertArrayEquals(b3, b2);
        p.close(fd);
    }

    private void extendbody(long seekcnt) throws Exception {
        int fd = p.open("testfile", O_CREAT | O_RDWR | (seekcnt != 0 ? O_APPEND : 0), 0644);
        h.vfs.ftruncate(p.l, fd, seekcnt);
        assertEquals(seekcnt, h.vfs.fstat(p.l, fd).size());
        byte[] s = TESTSTR.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(s.length, p.write(fd, s));
        assertArrayEquals(s, p.pread(fd, s.length, seekcnt));
        assertEquals(s.length + seekcnt, h.vfs.fstat(p.l, fd).size());
        p.close(fd);
    }

    @Test
    void extendfile(Kernel k) throws Exception {
        enter(k);
        extendbody(0);
    }

    @Test
    void extendfile_append(Kernel k) throws Exception {
        enter(k);
        extendbody(37);
    }

    private void overwritebody(int count, boolean trunc) throws Exception {
        byte[] buf = new byte[count];
        Arrays.fill(buf, (byte) 7);
        int fd = p.open("testi", O_CREAT | O_RDWR, 0666);
        assertEquals(count, p.write(fd, buf));
        p.close(fd);
        fd = p.open("testi", O_RDWR);
        if (trunc) {
            h.vfs.ftruncate(p.l, fd, 0);
        }
        Arrays.fill(buf, (byte) 9);
        assertEquals(count, p.write(fd, buf));
        p.close(fd);
        fd = p.open("testi", O_RDWR);
        assertArrayEquals(buf, p.read(fd, count + 1));
        p.close(fd);
    }

    @Test
    void overwrite512(Kernel k) throws Exception {
        enter(k);
        overwritebody(512, false);
    }

    @Test
    void overwrite64k(Kernel k) throws Exception {
        enter(k);
        overwritebody(1 << 16, false);
    }

    @Test
    void overwrite_trunc(Kernel k) throws Exception {
        enter(k);
        overwritebody(1 << 16, true);
    }

    @Test
    void shrinkfile(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("file", O_RDWR | O_CREAT | O_TRUNC, 0666);
        h.vfs.ftruncate(p.l, fd, 2);
        h.vfs.ftruncate(p.l, fd, 1);
        assertEquals(1, h.vfs.fstat(p.l, fd).size());
        p.close(fd);
    }

    @Test
    void read_after_unlink(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("file", O_RDWR | O_CREAT, 0666);
        byte[] buf = new byte[9000];
        Arrays.fill(buf, (byte) 'D');
        assertEquals(buf.length, p.write(fd, buf));
        p.close(fd);
        if (fs().unmountable()) {
            assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, mp, 0)));
        }
        fd = p.open("file", O_RDWR);
        p.unlink("file");
        assertArrayEquals(buf, p.read(fd, buf.length));
        p.close(fd);
    }

    @Test
    void wrrd_after_unlink(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("file", O_RDWR | O_CREAT, 0666);
        p.unlink("file");
        byte[] v = ByteBuffer.allocate(4).putInt(0x11).array();
        p.pwrite(fd, v, 654321);
        h.vfs.fsync(p.l, fd);
        assertArrayEquals(v, p.pread(fd, 4, 654321));
        p.close(fd);
    }

    @Test
    void shrink_then_extend_reads_zeros(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("f", O_RDWR | O_CREAT, 0666);
        byte[] ones = new byte[3 * PAGE];
        Arrays.fill(ones, (byte) 1);
        p.write(fd, ones);
        h.vfs.ftruncate(p.l, fd, PAGE + 10);
        h.vfs.ftruncate(p.l, fd, 3 * PAGE);
        byte[] back = p.pread(fd, 3 * PAGE, 0);
        for (int i = 0; i < back.length; i++) {
            assertEquals(i < PAGE + 10 ? 1 : 0, back[i], "byte " + i);
        }
        p.close(fd);
    }

    @Test
    void vectored_io_and_offsets(Kernel k) throws Exception {
        enter(k);
        int fd = p.open("v", O_RDWR | O_CREAT, 0666);
        ByteBuffer[] out = {ByteBuffer.wrap("abc".getBytes()), ByteBuffer.allocate(0), ByteBuffer.wrap("defg".getBytes())};
        assertEquals(7, h.vfs.writev(p.l, fd, out));
        assertEquals(7, h.vfs.lseek(p.l, fd, 0, Fcntl.SEEK_CUR));
        assertEquals(2, h.vfs.lseek(p.l, fd, -5, Fcntl.SEEK_END));
        ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(10)};
        assertEquals(5, h.vfs.readv(p.l, fd, in));
        assertEquals("cd", new String(in[0].array()));
        assertEquals("efg", new String(in[1].array(), 0, 3));
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.lseek(p.l, fd, -100, Fcntl.SEEK_SET)));
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.lseek(p.l, fd, 0, 17)));
        assertEquals(Errno.EBADF, errno(() -> h.vfs.read(p.l, 999, ByteBuffer.allocate(1))));
        p.close(fd);
        int ro = p.open("v", Fcntl.O_RDONLY);
        assertEquals(Errno.EBADF, errno(() -> p.write(ro, "x")));
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.ftruncate(p.l, ro, 0)));
        p.close(ro);
        int wo = p.open("v", Fcntl.O_WRONLY);
        assertEquals(Errno.EBADF, errno(() -> p.read(wo, 1)));
        p.close(wo);
    }

    @Test
    void append_goes_to_the_end_for_every_writer(Kernel k) throws Exception {
        enter(k);
        int a = p.open("log", O_RDWR | O_CREAT | O_APPEND, 0666);
        int b = p.open("log", O_RDWR | O_APPEND);
        p.write(a, "one\n");
        p.write(b, "two\n");
        p.write(a, "three\n");
        assertEquals("one\ntwo\nthree\n", p.readFile("log"));
        assertEquals(14, h.vfs.lseek(p.l, b, 0, Fcntl.SEEK_CUR) + 6);
        p.close(a);
        p.close(b);
    }
}
