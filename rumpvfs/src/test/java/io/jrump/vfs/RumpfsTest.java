package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** What rumpfs does beyond t_vnops and t_io: real holes, memory accounting and ENOSPC, times, the vnode cache. */
class RumpfsTest {
    private static long rumpfsBytes(Kernel k) {
        for (Kmem.Type t : k.kmem().types()) {
            if (t.name().equals("rumpfs")) {
                return t.bytes();
            }
        }
        return 0;
    }

    @Test
    @RumpKernel(components = "rumpvfs", memoryLimit = "16m")
    void a_terabyte_sparse_file_costs_its_written_pages(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        long empty = rumpfsBytes(k);
        int fd = p.open("/tmp/sparse", O_RDWR | O_CREAT, 0644);
        long before = rumpfsBytes(k);
        long tb = 1L << 40;
        p.pwrite(fd, "end".getBytes(), tb - 3);
        p.pwrite(fd, "mid".getBytes(), tb / 2);
        Stat st = h.vfs.fstat(h.root().l, fd);
        assertEquals(tb, st.size());
        assertEquals(2 * 4096 / 512, st.blocks(), "two pages hold data");
        assertTrue(rumpfsBytes(k) - before < 64 * 1024, "a few index nodes and two pages, not a terabyte");
        assertArrayEquals(new byte[100], p.pread(fd, 100, 12345678901L));
        assertArrayEquals("mid".getBytes(), p.pread(fd, 3, tb / 2));
        assertArrayEquals("end".getBytes(), p.pread(fd, 10, tb - 3));
        assertEquals(tb / 2 - (tb / 2) % 4096, h.vfs.lseek(p.l, fd, 0, Fcntl.SEEK_DATA));
        assertEquals(tb / 2 + 1, h.vfs.lseek(p.l, fd, tb / 2 + 1, Fcntl.SEEK_DATA));
        assertEquals(tb / 2 - (tb / 2) % 4096 + 4096, h.vfs.lseek(p.l, fd, tb / 2, Fcntl.SEEK_HOLE));
        assertEquals(0, h.vfs.lseek(p.l, fd, 0, Fcntl.SEEK_HOLE));
        assertEquals(tb - 4096, h.vfs.lseek(p.l, fd, tb / 2 + 4096, Fcntl.SEEK_DATA));
        assertEquals(tb, h.vfs.lseek(p.l, fd, tb - 4096, Fcntl.SEEK_HOLE), "the end of the file is a hole");
        assertEquals(Errno.ENXIO, errno(() -> h.vfs.lseek(p.l, fd, tb, Fcntl.SEEK_DATA)));
        assertEquals(Errno.ENXIO, errno(() -> h.vfs.lseek(p.l, fd, tb + 5, Fcntl.SEEK_HOLE)));
        h.vfs.ftruncate(p.l, fd, 10);
        assertEquals(0, h.vfs.fstat(p.l, fd).blocks());
        assertEquals(Errno.EFBIG, errno(() -> p.pwrite(fd, new byte[1], 1L << 51)));
        p.close(fd);
        p.unlink("/tmp/sparse");
        assertEquals(empty, rumpfsBytes(k), "name and node given back with the pages");
    }

    @Test
    @RumpKernel(components = "rumpvfs", memoryLimit = "8m")
    void memory_exhaustion_is_enospc_and_the_kernel_goes_on(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        int fd = p.open("/tmp/big", O_RDWR | O_CREAT, 0644);
        ByteBuffer mb = ByteBuffer.allocate(1 << 20);
        long written = 0;
        ErrnoException full = null;
        for (int i = 0; i < 16 && full == null; i++) {
            mb.clear();
            try {
                written += h.vfs.write(p.l, fd, mb);
            } catch (ErrnoException e) {
                full = e;
            }
        }
        assertTrue(full != null, "8 MB of kernel memory cannot hold 16 MB of file");
        assertEquals(Errno.ENOSPC, full.errno());
        assertEquals(written, h.vfs.fstat(p.l, fd).size(), "what was written stays");
        assertTrue(k.kmem().failures() > 0);
        int files = 0;
        ErrnoException noNode = null;
        for (; files < 100000 && noNode == null; files++) {
            try {
                p.close(p.open("/tmp/n" + files, O_RDWR | O_CREAT, 0644));
            } catch (ErrnoException e) {
                noNode = e;
            }
        }
        assertTrue(noNode != null && noNode.errno() == Errno.ENOSPC, "creating files when full: " + noNode);
        StatVfs full0 = h.vfs.statvfs(p.l, "/tmp");
        assertEquals(0, full0.bavail());
        h.vfs.ftruncate(p.l, fd, 0);
        p.close(fd);
        StatVfs freed = h.vfs.statvfs(p.l, "/tmp");
        assertTrue(freed.bfree() >= written / 4096, "truncating gave the pages back");
        assertEquals(freed.blocks(), full0.blocks(), "free and used blocks add up to the same total");
        p.writeFile("/tmp/after", "the kernel goes on");
        assertEquals("the kernel goes on", p.readFile("/tmp/after"));
        for (int i = 0; i < files - 1; i++) {
            p.unlink("/tmp/n" + i);
        }
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_mount_size_limit_is_enospc_too(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/small", 0755);
        h.vfs.mount(p.l, "rumpfs", "/small", 0, "size=64k");
        int fd = p.open("/small/f", O_RDWR | O_CREAT, 0644);
        int n = h.vfs.write(p.l, fd, ByteBuffer.allocate(1 << 20));
        assertTrue(n > 0 && n < 64 * 1024, "a short write: " + n);
        assertEquals(Errno.ENOSPC, errno(() -> h.vfs.write(p.l, fd, ByteBuffer.allocate(4096))));
        StatVfs s = h.vfs.fstatvfs(p.l, fd);
        assertEquals(16, s.blocks());
        assertEquals(0, s.bfree());
        p.close(fd);
        h.vfs.unmount(p.l, "/small", 0);
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void times_to_the_nanosecond_and_what_changes_them(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.writeFile("/tmp/t", "x");
        Stat a = p.stat("/tmp/t");
        assertTrue(a.birthtimeNanos() < a.ctimeNanos(), "written after it was made");
        int fd = p.open("/tmp/t", O_RDWR);
        p.write(fd, "yy");
        Stat b = h.vfs.fstat(p.l, fd);
        assertTrue(b.mtimeNanos() > a.mtimeNanos(), "a write moves the modification time");
        assertTrue(b.ctimeNanos() > a.ctimeNanos());
        assertEquals(a.birthtimeNanos(), b.birthtimeNanos());
        p.pread(fd, 1, 0);
        Stat c = h.vfs.fstat(p.l, fd);
        assertTrue(c.atimeNanos() > b.atimeNanos(), "a read moves the access time");
        assertEquals(b.mtimeNanos(), c.mtimeNanos());
        h.vfs.chmod(p.l, "/tmp/t", 0600);
        Stat d = p.stat("/tmp/t");
        assertTrue(d.ctimeNanos() > c.ctimeNanos(), "chmod moves the change time");
        assertEquals(c.mtimeNanos(), d.mtimeNanos());
        h.vfs.futimens(p.l, fd, new Timespec[] {Timespec.OMIT, new Timespec(7, 123456789)});
        Stat e = p.stat("/tmp/t");
        assertEquals(7_123_456_789L, e.mtimeNanos());
        assertEquals(d.atimeNanos(), e.atimeNanos());
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.futimens(p.l, fd, new Timespec[] {new Timespec(1, -1), Timespec.NOW})));
        long dir0 = p.stat("/tmp").mtimeNanos();
        p.link("/tmp/t", "/tmp/t2");
        assertTrue(p.stat("/tmp").mtimeNanos() > dir0, "a new name changes the directory");
        p.close(fd);
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void the_vnode_cache_stays_within_kern_maxvnodes(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        k.sysctl().write("kern.maxvnodes", "100", io.jrump.kern.Cred.ROOT);
        p.mkdir("/many", 0755);
        for (int i = 0; i < 1000; i++) {
            p.writeFile("/many/f" + i, "file " + i);
        }
        assertTrue(h.vfs.vnodeCache().size() <= 100, "cached: " + h.vfs.vnodeCache().size());
        for (int i = 0; i < 1000; i += 37) {
            assertEquals("file " + i, p.readFile("/many/f" + i), "data outlives the vnode");
        }
        assertTrue(h.vfs.vnodeCache().size() <= 100);
        int[] open = new int[150];
        for (int i = 0; i < open.length; i++) {
            open[i] = p.open("/many/f" + i, Fcntl.O_RDONLY);
        }
        assertTrue(h.vfs.vnodeCache().size() >= 150, "vnodes in use are never reclaimed");
        for (int fd : open) {
            p.close(fd);
        }
        assertEquals(Errno.EINVAL, errno(() -> k.sysctl().write("kern.maxvnodes", "3", io.jrump.kern.Cred.ROOT)));
        assertEquals(String.valueOf(h.vfs.vnodeCache().size()), k.sysctl().read("kern.numvnodes"));
    }

    /**
     * Vnodes and rumpfs pages are kernel memory: cached vnodes nobody uses are given back under pressure
     * (the cache is a reclaimer), the full kernel answers ENOSPC and goes on, {@code kern.kmem.stats}
     * names both accounts, and unlinking the files brings both back to where they started.
     */
    @Test
    @RumpKernel(components = "rumpvfs", memoryLimit = "8m")
    void vnodes_and_pages_are_charged_and_given_back(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        Kmem.Type vnodes = k.kmem().type(VnodeCache.KMEM_TYPE);
        Kmem.Type rumpfs = k.kmem().type("rumpfs");
        long vnodes0 = vnodes.bytes();
        long rumpfs0 = rumpfs.bytes();
        for (int i = 0; i < 300; i++) {
            p.close(p.open("/tmp/c" + i, O_RDWR | O_CREAT, 0644));
        }
        assertEquals(vnodes0 + 300 * VnodeCache.VNODE_BYTES, vnodes.bytes(), "300 cached, unused vnodes");
        assertEquals(300 + vnodes0 / VnodeCache.VNODE_BYTES, h.vfs.vnodeCache().size());
        String stats = k.syscalls().sysctlRead("kern.kmem.stats");
        assertTrue(stats.contains("\nvnode ") && stats.contains("\nrumpfs "), stats);

        int fd = p.open("/tmp/big", O_RDWR | O_CREAT, 0644);
        ByteBuffer mb = ByteBuffer.allocate(1 << 20);
        ErrnoException full = null;
        for (int i = 0; i < 16 && full == null; i++) {
            try {
                h.vfs.write(p.l, fd, mb.clear());
            } catch (ErrnoException e) {
                full = e;
            }
        }
        assertTrue(full != null && full.errno() == Errno.ENOSPC, "8 MB cannot hold 16 MB: " + full);
        assertTrue(k.kmem().reclaims() > 0, "the pressure asked the caches for memory");
        assertTrue(vnodes.bytes() < vnodes0 + 300 * VnodeCache.VNODE_BYTES,
                "the unused vnodes were given back: " + vnodes.bytes());
        int more = 0;
        ErrnoException noRoom = null;
        for (; more < 100000 && noRoom == null; more++) {
            try {
                p.close(p.open("/tmp/m" + more, O_RDWR | O_CREAT, 0644));
            } catch (ErrnoException e) {
                noRoom = e;
            }
        }
        assertTrue(noRoom != null && noRoom.errno() == Errno.ENOSPC, "creating files when full: " + noRoom);
        assertEquals(0, h.vfs.stat(p.l, "/tmp/c7").size(), "a file whose vnode went is still there");
        for (int i = 0; i < more - 1; i++) {
            p.unlink("/tmp/m" + i);
        }

        p.close(fd);
        p.unlink("/tmp/big");
        for (int i = 0; i < 300; i++) {
            p.unlink("/tmp/c" + i);
        }
        assertTrue(vnodes.bytes() <= vnodes0, "no vnode of an unlinked file stays charged (the pressure took some "
                + "of the boot's too): " + vnodes.bytes() + " of " + vnodes0);
        assertEquals(rumpfs0, rumpfs.bytes(), "the file system's charge is back where it started");
        p.writeFile("/tmp/after", "the kernel goes on");
        assertEquals("the kernel goes on", p.readFile("/tmp/after"));
    }
}
