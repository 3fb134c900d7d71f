package io.jrump.p2k;

import static io.jrump.p2k.HostFuse.TOP;
import static io.jrump.p2k.HostFuse.assumeFuse;
import static io.jrump.p2k.HostFuse.assumeTool;
import static io.jrump.p2k.HostFuse.e2fsckClean;
import static io.jrump.p2k.HostFuse.mke2fs;
import static io.jrump.p2k.HostFuse.ok;
import static io.jrump.p2k.HostFuse.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The served file systems as Linux programs see them: trees copied in with {@code cp -a}, {@code tar}
 * and {@code rsync} read back equal, on ext2 also after an unmount, a clean {@code e2fsck -fn} and a
 * fresh mount; concurrent writers; a read-only mount that refuses writes with EROFS and leaves the image
 * as it was; the errnos another user sees; SIGTERM and an unmount from outside ending the server with a
 * clean image. Each runs on every file system p2k serves here. Root and {@code /dev/fuse} are needed;
 * without them the tests skip.
 */
class P2kMountTest {
    /** A source tree of this repository: a few hundred files, some directories deep. */
    static final Path SRC = TOP.resolve("rumpvfs/src");

    @TempDir
    Path tmp;
    Path mnt;

    static Stream<String> types() {
        List<String> t = new ArrayList<>(List.of("rumpfs"));
        try {
            Class.forName("io.jrump.fs.ext2fs.Ext2fsComponent");
            t.add("ext2fs");
        } catch (ClassNotFoundException e) {
            // the ext2 driver is not linked in this build
        }
        return t.stream();
    }

    @BeforeEach
    void setUp() throws IOException {
        assumeFuse();
        // JUnit makes the directory 0700; other users must reach the mount point through it
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
    }

    /** The image or source a mount of {@code type} uses. */
    private String source(String type) throws IOException, InterruptedException {
        if (type.equals("ext2fs")) {
            Path img = tmp.resolve("e2.img");
            if (!Files.exists(img)) {
                mke2fs(tmp, "e2.img", 128, 1024);
            }
            return img.toString();
        }
        return "rumpfs";
    }

    private P2k mount(String type, String source, boolean ro) throws IOException {
        return P2k.start(new P2k.Options(type, source, mnt, ro), System.err::println);
    }

    private static boolean persistent(String type) {
        return !type.equals("rumpfs");
    }

    /**
     * Copies the tree in with {@code copy}, compares it in the mount, and on a disk file system unmounts,
     * checks the image with {@code e2fsck -fn}, mounts again and compares once more.
     */
    private void roundTrip(String type, String what, String... copy) throws Exception {
        String src = source(type);
        try (P2k p = mount(type, src, false)) {
            ok(mnt, copy);
            ok(null, "diff", "-r", SRC.toString(), mnt.resolve("tree").toString());
        }
        assertFalse(isMounted(), what + ": still mounted after close");
        if (persistent(type)) {
            e2fsckClean(Path.of(src));
            try (P2k p = mount(type, src, true)) {
                ok(null, "diff", "-r", SRC.toString(), mnt.resolve("tree").toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void cp_a_tree_reads_back_equal(String type) throws Exception {
        roundTrip(type, "cp -a", "cp", "-a", SRC.toString(), "tree");
    }

    @ParameterizedTest
    @MethodSource("types")
    void tar_tree_reads_back_equal(String type) throws Exception {
        assumeTool("tar");
        roundTrip(type, "tar", "sh", "-c", "mkdir tree && tar -C '" + SRC + "' -cf - . | tar -C tree -xpf -");
    }

    @ParameterizedTest
    @MethodSource("types")
    void rsync_tree_reads_back_equal(String type) throws Exception {
        assumeTool("rsync");
        roundTrip(type, "rsync", "rsync", "-a", SRC + "/", "tree/");
    }

    @ParameterizedTest
    @MethodSource("types")
    void links_renames_and_modes_show_at_once(String type) throws Exception {
        try (P2k p = mount(type, source(type), false)) {
            Path a = mnt.resolve("a");
            Files.writeString(a, "hello\n");
            ok(mnt, "ln", "a", "b");
            assertEquals("2", ok(mnt, "stat", "-c", "%h", "a").trim());
            ok(mnt, "chmod", "600", "b");
            assertEquals("600", ok(mnt, "stat", "-c", "%a", "a").trim());
            ok(mnt, "mv", "a", "c");
            assertFalse(Files.exists(a));
            assertEquals("hello\n", Files.readString(mnt.resolve("c")));
            ok(mnt, "rm", "b");
            assertEquals("1", ok(mnt, "stat", "-c", "%h", "c").trim());
            ok(mnt, "ln", "-s", "c", "s");
            assertEquals("c", Files.readSymbolicLink(mnt.resolve("s")).toString());
            ok(mnt, "truncate", "-s", "3", "s");
            assertEquals("hel", Files.readString(mnt.resolve("c")));
            ok(mnt, "touch", "-d", "2001-02-03 04:05:06.5 UTC", "c");
            assertEquals("981173106.500000000", ok(mnt, "stat", "-c", "%.9Y", "c").trim());
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void concurrent_writers_each_read_back_their_bytes(String type) throws Exception {
        String src = source(type);
        int writers = 8;
        int size = 3 << 20;
        try (P2k p = mount(type, src, false)) {
            ExecutorService ex = Executors.newFixedThreadPool(writers);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int id = i;
                fs.add(ex.submit(() -> {
                    Path dir = Files.createDirectories(mnt.resolve("shared"));
                    Files.write(mnt.resolve("big" + id), pattern(id, size));
                    for (int j = 0; j < 40; j++) {
                        Files.writeString(dir.resolve("f" + id + "-" + j), "writer " + id + " file " + j + "\n");
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
            ex.shutdown();
            verifyWriters(writers, size);
        }
        if (persistent(type)) {
            e2fsckClean(Path.of(src));
            try (P2k p = mount(type, src, true)) {
                verifyWriters(writers, size);
            }
        }
    }

    private void verifyWriters(int writers, int size) throws IOException {
        for (int i = 0; i < writers; i++) {
            assertArrayEquals(pattern(i, size), Files.readAllBytes(mnt.resolve("big" + i)), "file big" + i);
            for (int j = 0; j < 40; j++) {
                assertEquals("writer " + i + " file " + j + "\n", Files.readString(mnt.resolve("shared/f" + i + "-" + j)));
            }
        }
        try (Stream<Path> s = Files.list(mnt.resolve("shared"))) {
            assertEquals(writers * 40, s.count());
        }
    }

    private static byte[] pattern(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("types")
    void read_only_mount_refuses_writes_and_leaves_the_image_as_it_was(String type) throws Exception {
        String src = source(type);
        if (persistent(type)) {
            try (P2k p = mount(type, src, false)) {
                Files.writeString(mnt.resolve("kept"), "kept\n");
                Files.createDirectory(mnt.resolve("dir"));
            }
        }
        byte[] before = persistent(type) ? sha256(Path.of(src)) : null;
        try (P2k p = mount(type, src, true)) {
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> Files.writeString(mnt.resolve("new"), "x"));
            assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
            assertEquals(30, errno("import os\nos.mkdir('" + mnt.resolve("d2") + "')"), "mkdir: EROFS");
            if (persistent(type)) {
                assertEquals("kept\n", Files.readString(mnt.resolve("kept")));
                assertEquals(30, errno("import os\nos.open('" + mnt.resolve("kept") + "', os.O_WRONLY)"),
                        "open for writing: EROFS");
                assertEquals(30, errno("import os\nos.chmod('" + mnt.resolve("kept") + "', 0o777)"), "chmod: EROFS");
            }
        }
        if (persistent(type)) {
            assertArrayEquals(before, sha256(Path.of(src)), "the read-only mount changed the image");
        }
    }

    /** The errno {@code script} (Python) fails with as root, 0 if it does not fail. */
    private static int errno(String script) throws Exception {
        return errnoAs(null, script);
    }

    private static int errnoAs(String user, String script) throws Exception {
        // the system's interpreter: one under root's home is not for other users
        String py = "/usr/bin/python3";
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(py)), "no " + py + ": skipped");
        String wrapped = "import sys\ntry:\n" + script.indent(4) + "    print(0)\nexcept OSError as e:\n    print(e.errno)\n";
        HostFuse.Run r = user == null ? run(null, py, "-c", wrapped)
                : run(null, "setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups", py, "-c", wrapped);
        assertEquals(0, r.status(), r.output());
        return Integer.parseInt(r.output().trim());
    }

    @ParameterizedTest
    @MethodSource("types")
    void another_user_sees_the_kernels_errnos(String type) throws Exception {
        assumeTool("setpriv");
        try (P2k p = mount(type, source(type), false)) {
            String m = mnt.toString();
            ok(mnt, "sh", "-c", "mkdir -m 755 priv && echo s > priv/secret && chmod 600 priv/secret"
                    + " && mkdir -m 1777 tmp && echo r > tmp/roots && chmod 666 tmp/roots && mkdir -p full/sub");
            String nobody = "65534";
            assertEquals(13, errnoAs(nobody, "open('" + m + "/priv/secret').read()"), "read of a 0600 file: EACCES");
            assertEquals(13, errnoAs(nobody, "open('" + m + "/priv/new', 'w')"), "create in a 0755 dir: EACCES");
            assertEquals(1, errnoAs(nobody, "import os\nos.unlink('" + m + "/tmp/roots')"),
                    "unlink of root's file in a sticky dir: EPERM");
            assertEquals(1, errnoAs(nobody, "import os\nos.chown('" + m + "/tmp/roots', 65534, 65534)"),
                    "chown: EPERM");
            assertEquals(0, errnoAs(nobody, "open('" + m + "/tmp/roots', 'w').write('mine')"),
                    "write to a 0666 file");
            assertEquals(0, errnoAs(nobody, "open('" + m + "/tmp/own', 'w').write('x')"), "create in a 1777 dir");
            assertEquals(2, errnoAs(nobody, "open('" + m + "/tmp/missing')"), "ENOENT");
            assertEquals(17, errnoAs(nobody, "import os\nos.mkdir('" + m + "/tmp')"), "EEXIST");
            assertEquals(39, errno("import os\nos.rmdir('" + m + "/full')"), "rmdir of a non-empty dir: ENOTEMPTY");
            assertEquals(21, errno("import os\nos.unlink('" + m + "/full')"), "unlink of a directory: EISDIR");
            assertEquals(20, errno("import os\nos.rmdir('" + m + "/tmp/own')"), "rmdir of a file: ENOTDIR");
            assertEquals(22, errno("import os\nos.rename('" + m + "/full', '" + m + "/full/sub/x')"),
                    "rename into itself: EINVAL");
            assertEquals(36, errno("open('" + m + "/" + "n".repeat(256) + "', 'w')"), "ENAMETOOLONG");
            assertEquals("s\n", Files.readString(mnt.resolve("priv/secret")), "root still reads it");
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void sigterm_and_unmount_from_outside_end_the_server_with_a_clean_image(String type) throws Exception {
        String src = source(type);
        Process server = startServer(type, src);
        ok(mnt, "cp", "-a", SRC.toString(), "tree");
        server.destroy(); // SIGTERM
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not end on SIGTERM");
        assertFalse(isMounted(), "still mounted after SIGTERM");
        if (persistent(type)) {
            e2fsckClean(Path.of(src));
        }
        server = startServer(type, src);
        if (persistent(type)) {
            ok(null, "diff", "-r", SRC.toString(), mnt.resolve("tree").toString());
        }
        ok(mnt, "sh", "-c", "echo more > more");
        assumeTool("fusermount3");
        ok(null, "fusermount3", "-u", mnt.toString());
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not end when unmounted from outside");
        assertEquals(0, server.exitValue());
        if (persistent(type)) {
            e2fsckClean(Path.of(src));
        }
    }

    /** {@code rump_mount -f} in its own JVM, returned once it says the mount is up. */
    private Process startServer(String type, String src) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), P2kMain.class.getName(), "-t", type, src, mnt.toString())
                .redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder all = new StringBuilder();
        while ((line = r.readLine()) != null) {
            all.append(line).append('\n');
            if (line.contains("mounted")) {
                Thread drain = new Thread(() -> {
                    try {
                        r.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException e) {
                        // the server ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return p;
            }
        }
        throw new IOException("the server did not mount:\n" + all);
    }

    private boolean isMounted() throws IOException {
        String m = mnt.toAbsolutePath().toString();
        for (String l : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = l.split(" ");
            if (f.length > 1 && f[1].equals(m)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return md.digest(Files.readAllBytes(f));
    }
}
