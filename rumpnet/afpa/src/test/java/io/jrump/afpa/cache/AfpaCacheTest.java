package io.jrump.afpa.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.afpa.cache.CacheResult.Status;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache as the engine uses it: hits, invalidation, LRU eviction, limits and a clean halt. */
class AfpaCacheTest {
    @TempDir
    Path tmp;

    private static AfpaCache cache(Kernel k, long limit, String docroot) throws Exception {
        AfpaCache c = new AfpaCache(k, limit);
        c.setDocroot(docroot);
        return c;
    }

    private static CacheObject expect(Docs d, AfpaCache c, String path, Status s) throws Exception {
        CacheResult r = d.onKThread(() -> c.get(path));
        assertEquals(s, r.status(), path);
        return r.object();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_changed_file_is_read_again_and_sends_keep_the_old_bytes(Kernel k) throws Exception {
        byte[] v1 = Docs.pattern(3000, 1);
        Docs d = new Docs(k).dir("/www").write("/www/a.html", v1);
        d.touch("/www/a.html", 1_000_000_000_000L);
        AfpaCache c = cache(k, 1 << 20, "/www");
        CacheObject o1 = expect(d, c, "/a.html", Status.BUILT);
        CacheObject again = expect(d, c, "/a.html", Status.HIT);
        assertSame(o1, again);
        again.release();

        c.setRevalidateNanos(Long.MAX_VALUE);
        CacheObject hit = c.lookup("/a.html");
        assertSame(o1, hit, "the softint finds a fresh object");
        hit.release();
        c.setRevalidateNanos(0);
        assertNull(c.lookup("/a.html"), "an object not checked within the interval is a miss for the service thread");

        d.touch("/www/a.html", 2_000_000_000_000L);
        CacheObject o2 = expect(d, c, "/a.html", Status.BUILT);
        assertNotSame(o1, o2);
        assertFalse(o1.valid(), "a new mtime invalidates the object");
        assertEquals(2_000_000_000_000L, o2.mtime());
        assertArrayEquals(v1, Docs.contents(o1), "a send still holding the old object reads intact bytes");
        assertEquals(1, c.invalidations());

        byte[] v2 = Docs.pattern(4000, 2);
        d.write("/www/a.html", v2);
        d.touch("/www/a.html", 2_000_000_000_000L);
        CacheObject o3 = expect(d, c, "/a.html", Status.BUILT);
        assertFalse(o2.valid(), "a new size invalidates the object, whatever the mtime says");
        assertArrayEquals(v2, Docs.contents(o3));
        assertEquals(2, c.invalidations());
        assertEquals(3, c.builds());
        assertEquals(1, c.objects());
        o1.release();
        o2.release();
        o3.release();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void least_recently_used_objects_that_no_send_holds_are_evicted(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www");
        for (String n : List.of("a", "b", "c", "d", "e")) {
            d.write("/www/" + n, Docs.pattern(100_000, n.charAt(0)));
        }
        // 100,000 bytes are 69 frames; three blocks hold 246: room for three objects, not four
        AfpaCache c = cache(k, 3L * BlockAllocator.BLOCK_SIZE, "/www");
        for (String n : List.of("/a", "/b", "/c")) {
            expect(d, c, n, Status.BUILT).release();
        }
        expect(d, c, "/a", Status.HIT).release();
        assertEquals(List.of("/b", "/c", "/a"), c.paths());
        expect(d, c, "/d", Status.BUILT).release();
        assertEquals(List.of("/c", "/a", "/d"), c.paths(), "the least recently used went");
        assertEquals(1, c.evictions());
        assertTrue(c.memoryInUse() <= c.sizeLimit());

        CacheObject held = expect(d, c, "/c", Status.HIT);
        expect(d, c, "/b", Status.BUILT).release();
        assertEquals(List.of("/d", "/c", "/b"), c.paths(), "/a was the oldest idle object");
        CacheObject held2 = expect(d, c, "/d", Status.HIT);
        expect(d, c, "/e", Status.BUILT).release();
        assertEquals(List.of("/c", "/d", "/e"), c.paths(), "held objects stay, /b went");
        CacheObject held3 = expect(d, c, "/e", Status.HIT);
        assertNull(expect(d, c, "/a", Status.NO_MEMORY), "nothing idle left: a clean refusal");
        assertTrue(c.memoryInUse() <= c.sizeLimit());
        assertEquals(3, c.objects());
        held.release();
        held2.release();
        held3.release();

        c.setSizeLimit(BlockAllocator.BLOCK_SIZE);
        assertTrue(c.memoryInUse() <= BlockAllocator.BLOCK_SIZE, "a lower limit evicts at once");
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void paths_never_leave_the_docroot(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www").write("/secret", "secret".getBytes()).write("/www/a.html", "ok".getBytes());
        d.vfs.symlink(d.l, "/secret", "/www/abs");
        d.vfs.symlink(d.l, "../secret", "/www/up");
        d.vfs.symlink(d.l, "/a.html", "/www/in");
        d.dir("/www/sub");
        AfpaCache c = cache(k, 1 << 20, "/www");
        assertNull(expect(d, c, "/abs", Status.NOT_FOUND), "an absolute link resolves under the docroot");
        assertNull(expect(d, c, "/up", Status.NOT_FOUND), ".. stops at the docroot");
        assertNull(expect(d, c, "/../secret", Status.NOT_FOUND));
        assertNull(expect(d, c, "/missing", Status.NOT_FOUND));
        assertNull(expect(d, c, "/sub", Status.NOT_REGULAR));
        CacheObject o = expect(d, c, "/in", Status.BUILT);
        assertEquals("ok", new String(o.frameBuf(0), o.payloadOff(0), 2));
        o.release();

        assertThrows(ErrnoException.class, () -> c.setDocroot("/nowhere"));
        assertNull(c.docroot());
        assertEquals(0, c.objects(), "objects of the old docroot are dropped");
        assertNull(expect(d, c, "/secret", Status.NOT_FOUND), "a failed change serves nothing, not the kernel's root");
        assertNull(expect(d, c, "/www/a.html", Status.NOT_FOUND));
        AfpaCache fresh = new AfpaCache(k, 1 << 20);
        assertNull(expect(d, fresh, "/secret", Status.NOT_FOUND), "nothing is served before a docroot is set");
    }

    private Etfs site(Kernel k) throws Exception {
        k.service(Etfs.class).register("/site", tmp.toString(), EtfsType.DIRSUB);
        return k.service(Etfs.class);
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_sparse_gigabyte_is_refused_by_the_object_limit_without_a_read(Kernel k) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("huge.iso").toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Files.write(tmp.resolve("mid.bin"), Docs.pattern(3 << 20, 5));
        site(k);
        Docs d = new Docs(k);
        AfpaCache c = cache(k, 2 << 20, "/site");
        assertNull(expect(d, c, "/huge.iso", Status.TOO_LARGE));
        c.setMaxObject(1L << 40);
        assertNull(expect(d, c, "/huge.iso", Status.TOO_LARGE), "nor is anything larger than the whole cache read");
        assertNull(expect(d, c, "/mid.bin", Status.TOO_LARGE));
        assertEquals(3, c.tooLarge());
        assertEquals(0, c.memoryInUse());
        assertEquals(0, c.objects());
    }

    @Test
    @RumpKernel(components = "rumpvfs", memoryLimit = "8m")
    void the_kernel_memory_limit_refuses_a_build_cleanly(Kernel k) throws Exception {
        byte[] big = Docs.pattern(12 << 20, 9);
        byte[] small = Docs.pattern(20_000, 4);
        Files.write(tmp.resolve("big.bin"), big);
        Files.write(tmp.resolve("small.bin"), small);
        site(k);
        Docs d = new Docs(k);
        AfpaCache c = cache(k, 64L << 20, "/site");
        c.setMaxObject(64L << 20);
        long failuresBefore = k.kmem().failures();
        assertNull(expect(d, c, "/big.bin", Status.NO_MEMORY));
        assertTrue(k.kmem().failures() > failuresBefore, "the kernel's limit said no");
        assertEquals(0, c.memoryInUse(), "what the failed build took is given back");
        assertEquals(0, k.kmem().type(BlockAllocator.KMEM_TYPE).bytes());
        CacheObject o = expect(d, c, "/small.bin", Status.BUILT);
        assertArrayEquals(small, Docs.contents(o), "read from the host through etfs on a kernel thread");
        o.release();
    }

    @Test
    @RumpKernel(components = "rumpvfs", memoryLimit = "8m")
    void kernel_memory_pressure_takes_back_idle_objects(Kernel k) throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.write(tmp.resolve("f" + i), Docs.pattern(1 << 20, i + 1));
        }
        site(k);
        Docs d = new Docs(k);
        AfpaCache c = cache(k, 64L << 20, "/site");
        CacheObject held = expect(d, c, "/f0", Status.BUILT);
        for (int i = 1; i < 5; i++) {
            expect(d, c, "/f" + i, Status.BUILT).release();
        }
        long cached = c.memoryInUse();
        var other = k.kmem().type("test");
        long want = k.kmem().limit() - k.kmem().used() + cached / 2;
        assertTrue(k.kmem().alloc(other, want), "the kernel gets its memory back from the cache");
        assertEquals(List.of("/f0"), c.paths(), "only the object a send holds stays");
        assertEquals(4, c.evictions());
        assertArrayEquals(Docs.pattern(1 << 20, 1), Docs.contents(held));
        k.kmem().free(other, want);
        held.release();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void the_kernel_halts_clean_with_the_cache_emptied(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www").write("/www/a", Docs.pattern(70_000, 1)).write("/www/b", Docs.pattern(10, 2));
        AfpaCache c = cache(k, 4 << 20, "/www");
        expect(d, c, "/a", Status.BUILT).release();
        expect(d, c, "/b", Status.BUILT).release();
        assertTrue(k.kmem().type(BlockAllocator.KMEM_TYPE).bytes() > 0);
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertTrue(c.closed());
        assertEquals(0, c.objects());
        assertEquals(0, k.kmem().type(BlockAllocator.KMEM_TYPE).bytes());
        assertEquals(Status.CLOSED, c.get("/a").status());
        assertNull(c.lookup("/a"));
    }
}
