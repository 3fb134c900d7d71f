package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Linux's e2fsprogs and genext2fs as the tests' reference: they make the images the driver mounts and
 * judge the images it leaves. A test whose tool is missing is skipped with a message.
 */
final class HostTools {
    /** What a tool printed and how it ended. */
    record Result(int exit, String out) {
    }

    private HostTools() {
    }

    static String find(String tool) {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static void require(String... tools) {
        for (String t : tools) {
            assumeTrue(find(t) != null, t + " is not installed (apt-get install e2fsprogs genext2fs); test skipped");
        }
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(Arrays.asList(cmd));
        String exe = find(c.get(0));
        if (exe != null) {
            c.set(0, exe);
        }
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs and fails unless it exits 0. */
    static String ok(String... cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    /** {@code mke2fs -q -F -t ext2 OPTS IMG SIZE}. */
    static void mkfs(Path img, String size, String... opts) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext2"));
        c.addAll(Arrays.asList(opts));
        c.add(img.toString());
        c.add(size);
        ok(c.toArray(new String[0]));
    }

    /** Runs {@code debugfs -w} with the given commands, one a line. */
    static String debugfsWrite(Path img, String... commands) throws IOException, InterruptedException {
        Path f = Files.createTempFile(img.getParent(), "debugfs", ".cmd");
        Files.writeString(f, String.join("\n", commands) + "\n");
        return ok("debugfs", "-w", "-f", f.toString(), img.toString());
    }

    /** A file's bytes as Linux's debugfs reads them. */
    static byte[] debugfsCat(Path img, String path) throws IOException, InterruptedException {
        Path out = Files.createTempFile(img.getParent(), "cat", ".out");
        ok("debugfs", "-R", "dump " + path + " " + out, img.toString());
        return Files.readAllBytes(out);
    }

    /** {@code e2fsck -fn}: the exit code and report. */
    static Result fsck(Path img) throws IOException, InterruptedException {
        return run("e2fsck", "-fn", img.toString());
    }

    static void assertClean(Path img) throws IOException, InterruptedException {
        Result r = fsck(img);
        if (r.exit() != 0) {
            throw new AssertionError("e2fsck -fn finds the image unclean (exit " + r.exit() + "):\n" + r.out());
        }
    }
}
