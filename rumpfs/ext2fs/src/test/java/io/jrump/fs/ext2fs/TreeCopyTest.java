package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrump.kern.Kernel;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Timespec;
import io.jrump.testkit.RumpKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code cp -a} of a source tree does, through the kernel: this repository's {@code rumpnet}
 * copied into a fresh image with modes and times, the copy renamed, hard-linked and symlinked, the
 * image unmounted and found clean by {@code e2fsck -fn}, then mounted read-only and compared file by
 * file with the original.
 */
@RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
class TreeCopyTest {
    @TempDir
    Path tmp;

    @Test
    void copiedTreeSurvivesUnmountFsckAndRemount(Kernel k) throws Exception {
        HostTools.require("mke2fs", "e2fsck");
        Path src = Path.of("../../rumpnet").toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(src), "no source tree at " + src);
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "64M", "-b", "1024");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = src.relativize(p).toString();
                String dst = rel.isEmpty() ? "/mnt/tree" : "/mnt/tree/" + rel;
                if (Files.isDirectory(p)) {
                    h.vfs.mkdir(h.l, dst, 0755);
                } else if (Files.isRegularFile(p)) {
                    h.write(dst, Files.readAllBytes(p));
                    files.add(p);
                    FileTime t = Files.getLastModifiedTime(p);
                    Timespec ts = new Timespec(t.toMillis() / 1000, (t.toMillis() % 1000) * 1_000_000L);
                    h.vfs.utimensat(h.l, Fcntl.AT_FDCWD, dst, new Timespec[] {ts, ts}, 0);
                    h.vfs.chmod(h.l, dst, 0640);
                }
            }
        }
        h.vfs.rename(h.l, "/mnt/tree", "/mnt/tree2");
        h.vfs.link(h.l, "/mnt/tree2/pom.xml", "/mnt/hard");
        h.vfs.symlink(h.l, "tree2", "/mnt/sym");
        assertEquals(2, h.vfs.stat(h.l, "/mnt/hard").nlink());
        h.unmount();
        HostTools.assertClean(img);
        h.mount(img, true);
        for (Path p : files) {
            String rel = src.relativize(p).toString();
            assertArrayEquals(Files.readAllBytes(p), h.read("/mnt/sym/" + rel), rel);
            Stat st = h.vfs.stat(h.l, "/mnt/sym/" + rel);
            assertEquals(Files.getLastModifiedTime(p).toMillis() / 1000, st.mtimeSec(), rel);
        }
        h.unmount();
    }
}
