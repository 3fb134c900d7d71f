package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatMode;
import io.jrump.testkit.RumpKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images Linux's tools made, read through the kernel: the bytes, names, links and attributes
 * {@code debugfs} wrote come back the same, at every block size and in both revisions.
 */
@RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
class ReadTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"-b 1024", "-b 2048", "-b 4096", "-b 1024 -O ^sparse_super,^resize_inode", "-b 1024 -r 0", "-b 4096 -I 128"})
    void readsWhatDebugfsWrote(String opts, Kernel k) throws Exception {
        HostTools.require("mke2fs", "debugfs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "16M", opts.split(" "));
        byte[] small = "hello, ext2\n".getBytes();
        byte[] big = random(700_000, 1);
        Files.write(tmp.resolve("small"), small);
        Files.write(tmp.resolve("big"), big);
        String longTarget = "x/".repeat(60) + "target";
        HostTools.debugfsWrite(img, "mkdir d", "mkdir d/e", "write " + tmp.resolve("small") + " d/small",
                "write " + tmp.resolve("big") + " big", "symlink fast ../big", "symlink slow " + longTarget,
                "ln big d/e/hard", "sif d/e/hard links_count 2");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, true);
        assertArrayEquals(small, h.read("/mnt/d/small"));
        assertArrayEquals(big, h.read("/mnt/big"));
        assertArrayEquals(big, h.read("/mnt/d/e/hard"));
        assertEquals("../big", h.vfs.readlink(h.l, "/mnt/fast"));
        assertEquals(longTarget, h.vfs.readlink(h.l, "/mnt/slow"));
        List<String> root = h.list("/mnt");
        assertTrue(root.containsAll(List.of(".", "..", "lost+found", "d", "big", "fast", "slow")), root.toString());
        Stat st = h.vfs.stat(h.l, "/mnt/big");
        assertEquals(big.length, st.size());
        assertEquals(2, st.nlink());
        assertEquals(StatMode.S_IFREG, st.mode() & StatMode.S_IFMT);
        Stat d = h.vfs.stat(h.l, "/mnt/d");
        assertEquals(3, d.nlink());
        assertEquals(StatMode.S_IFDIR, d.mode() & StatMode.S_IFMT);
        h.unmount();
    }
}
