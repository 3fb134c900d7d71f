package io.jrump.p2k;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the FUSE tests need of the host: root, {@code /dev/fuse}, the programs they run beside the
 * mount ({@code mke2fs}, {@code e2fsck}, {@code tar}, {@code rsync}, {@code setpriv}), and a way to run
 * them and read their output. A test skips, with a message saying what is missing, where the host
 * lacks one.
 */
final class HostFuse {
    private HostFuse() {
    }

    /** This repository's top directory (the tests run in {@code p2k/}). */
    static final Path TOP = Path.of("").toAbsolutePath().getParent();

    static void assumeFuse() {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse on this host: the FUSE tests are skipped");
        assumeTrue(FuseUser.isRoot(), "not root: mounting through /dev/fuse needs root; the FUSE tests are skipped");
    }

    static void assumeTool(String tool) {
        assumeTrue(which(tool), tool + " is not installed: this test is skipped (.ci/run installs it)");
    }

    static boolean which(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/sbin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    /** The result of a host command: exit status and its output (stdout and stderr together). */
    record Run(int status, String output) {
    }

    static Run run(Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        List<String> path = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
        path.add("/sbin");
        path.add("/usr/sbin");
        pb.environment().put("PATH", String.join(":", path));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs {@code cmd} and fails the test, showing its output, unless it exits with status 0. */
    static String ok(Path dir, String... cmd) throws IOException, InterruptedException {
        Run r = run(dir, cmd);
        assertEquals(0, r.status(), String.join(" ", cmd) + " failed:\n" + r.output());
        return r.output();
    }

    /** A fresh ext2 image of {@code megabytes} made by Linux's {@code mke2fs}. */
    static Path mke2fs(Path dir, String name, int megabytes, int blockSize) throws IOException, InterruptedException {
        assumeTool("mke2fs");
        Path img = dir.resolve(name);
        ok(null, "mke2fs", "-q", "-F", "-t", "ext2", "-b", Integer.toString(blockSize), img.toString(), megabytes + "M");
        return img;
    }

    /** {@code e2fsck -fn}: fails the test with its report unless the image is clean. */
    static void e2fsckClean(Path img) throws IOException, InterruptedException {
        assumeTool("e2fsck");
        Run r = run(null, "e2fsck", "-fn", img.toString());
        assertEquals(0, r.status(), "e2fsck -fn finds the image unclean:\n" + r.output());
    }
}
