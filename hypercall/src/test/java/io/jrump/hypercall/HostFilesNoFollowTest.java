package io.jrump.hypercall;

import static io.jrump.hypercall.HyperFiles.O_NOFOLLOW;
import static io.jrump.hypercall.HyperFiles.O_RDONLY;
import static io.jrump.hypercall.HyperFiles.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The host calls etfs needs to keep a registered directory closed: lstat, readlink, realpath, O_NOFOLLOW, ftruncate. */
@Timeout(60)
class HostFilesNoFollowTest {
    @TempDir
    Path dir;

    private final HostHypercall hc = HostHypercall.builder().environment(Map.of()).build();
    private final HyperFiles files = hc.files();

    @AfterEach
    void shutdown() {
        hc.shutdown();
    }

    private static int errnoOf(Runnable r) {
        return assertThrows(HyperError.class, r::run).errno();
    }

    @Test
    void lstat_readlink_and_realpath() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "12345");
        Path link = Files.createSymbolicLink(dir.resolve("l"), Path.of("f"));
        FileInfo li = files.getFileInfoNoFollow(link.toString());
        assertTrue(li.symlink());
        assertEquals(FileInfo.Type.OTHER, li.type());
        FileInfo fi = files.getFileInfoNoFollow(f.toString());
        assertFalse(fi.symlink());
        assertEquals(new FileInfo(5, FileInfo.Type.REG), fi);
        assertEquals(FileInfo.Type.REG, files.getFileInfo(link.toString()).type(), "getFileInfo follows");
        assertEquals("f", files.readlink(link.toString()));
        assertEquals(Errno.EINVAL, errnoOf(() -> files.readlink(f.toString())));
        assertEquals(f.toRealPath().toString(), files.realPath(link.toString()));
        assertEquals(Errno.ENOENT, errnoOf(() -> files.getFileInfoNoFollow(dir.resolve("none").toString())));
    }

    @Test
    void nofollow_refuses_a_link_anywhere_in_the_path() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.writeString(real.resolve("f"), "x");
        Files.createSymbolicLink(dir.resolve("lf"), real.resolve("f"));
        Files.createSymbolicLink(dir.resolve("ld"), real);
        String base = dir.toRealPath().toString();
        files.open(base + "/real/f", O_RDONLY | O_NOFOLLOW).close();
        assertEquals(Errno.ELOOP, errnoOf(() -> files.open(base + "/lf", O_RDONLY | O_NOFOLLOW)));
        assertEquals(Errno.ELOOP, errnoOf(() -> files.open(base + "/ld/f", O_RDONLY | O_NOFOLLOW)));
        files.open(base + "/ld/f", O_RDONLY).close();
    }

    @Test
    void truncate_cuts_and_extends_with_a_hole() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "0123456789");
        HyperFile h = files.open(f.toString(), O_RDWR);
        h.truncate(4);
        assertEquals(4, h.size());
        h.truncate(1 << 20);
        assertEquals(1 << 20, h.size());
        ByteBuffer b = ByteBuffer.allocate(8);
        h.pread(b, 2);
        assertEquals('2', b.get(0));
        assertEquals(0, b.get(2));
        h.close();
    }
}
