package io.jrump.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run ext2}: an ext2 image served on a Linux directory by p2k ({@code rump_ext2fs}: the
 * kernel's ext2 driver behind {@code /dev/fuse}) against the same kind of image served by Linux's
 * {@code fuse2fs} (e2fsprogs' ext2 driver behind the same FUSE crossing), measured in one run. Each side
 * is a separate process on a fresh {@code mke2fs -t ext2 -b 4096} image of {@link #IMAGE_MB} MiB in the
 * same directory; the two take turns, phase by phase, for {@link #ROUNDS} rounds, and each figure is
 * the side's best round.
 *
 * <p>Phases, each through the mount: a sequential write of a {@value #BIG_MB} MiB file in 1 MiB blocks
 * with {@code dd conv=fsync}; after the server is stopped (so its image is written back), Linux's page
 * cache dropped ({@code sync; echo 3 > /proc/sys/vm/drop_caches}) and the image mounted by a fresh
 * server, a sequential read of that file in 1 MiB blocks; {@code tar -x} of a tree of a few thousand
 * files (this repository's tracked files, three times over); then, after another stop, drop and fresh
 * mount, {@code find} printing size, mode, owner and time of every file (an {@code lstat} each).
 * A fresh server per cold phase means neither side reads from a cache of its own that the other lacks.
 *
 * <p>The RESULT keys are fuse2fs's time over p2k's (above 1: p2k is faster): {@code seq_write_ratio},
 * {@code seq_read_ratio}, {@code untar_ratio}, {@code stat_ratio}, and the absolute figures beside them.
 * Needs root, {@code /dev/fuse}, {@code mke2fs} and {@code fuse2fs}.
 */
public final class Ext2Bench {
    static final int BIG_MB = 512;
    static final int IMAGE_MB = 1536;
    static final int ROUNDS = 2;
    static final int TREE_COPIES = 3;

    private final Path work;
    private final Path tarball;
    private final int files;

    private Ext2Bench(Path work, Path tarball, int files) {
        this.work = work;
        this.tarball = tarball;
        this.files = files;
    }

    /** One side's server: start it on an image, stop it so the image is written back. */
    interface Side {
        String name();

        Process mount(Path image, Path mnt) throws Exception;
    }

    record Times(double write, double read, double untar, double stat) {
    }

    public static void main(String[] args) throws Exception {
        for (String t : new String[] {"mke2fs", "fuse2fs", "fusermount3", "tar", "dd", "find"}) {
            if (!onPath(t)) {
                fail(t + " is not installed (apt-get install e2fsprogs fuse2fs fuse3)");
            }
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            fail("no /dev/fuse on this host");
        }
        if (!"0".equals(sh("id -u").trim())) {
            fail("needs root (mounts, drop_caches)");
        }
        Path work = Files.createTempDirectory(Path.of(System.getProperty("ext2bench.dir", "/var/tmp")), "ext2bench");
        try {
            Path tree = work.resolve("tree");
            Files.createDirectories(tree);
            for (int i = 0; i < TREE_COPIES; i++) {
                sh("git archive --prefix=copy" + i + "/ HEAD | tar -x -C '" + tree + "'");
            }
            int files = Integer.parseInt(sh("find '" + tree + "' -type f | wc -l").trim());
            Path tarball = work.resolve("tree.tar");
            sh("tar -cf '" + tarball + "' -C '" + tree + "' .");
            sh("rm -rf '" + tree + "'");
            new Ext2Bench(work, tarball, files).run();
        } finally {
            sh("rm -rf '" + work + "'");
        }
    }

    private static void fail(String why) {
        System.out.println("bench ext2: " + why);
        System.exit(1);
    }

    private void run() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Side ours = new Side() {
            public String name() {
                return "p2k";
            }

            public Process mount(Path image, Path mnt) throws Exception {
                // as bin/rump_ext2fs runs it
                return start(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m", "-cp", cp, "io.jrump.p2k.P2kMain",
                        "-t", "ext2fs", image.toString(), mnt.toString()), mnt);
            }
        };
        Side theirs = new Side() {
            public String name() {
                return "fuse2fs";
            }

            public Process mount(Path image, Path mnt) throws Exception {
                return start(List.of("fuse2fs", image.toString(), mnt.toString(), "-f", "-o", "rw"), mnt);
            }
        };
        System.out.printf(Locale.ROOT, "bench ext2: %d MiB sequential file, untar of %d files; %d rounds, turn by turn; load %s%n",
                BIG_MB, files, ROUNDS, sh("cat /proc/loadavg").trim());
        List<Times> a = new ArrayList<>();
        List<Times> b = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            a.add(round(ours, r));
            b.add(round(theirs, r));
        }
        Times p = best(a);
        Times f = best(b);
        double mib = BIG_MB;
        System.out.printf(Locale.ROOT, "p2k:     write %.0f MiB/s, read %.0f MiB/s, untar %.2f s, find+stat %.2f s%n",
                mib / p.write, mib / p.read, p.untar, p.stat);
        System.out.printf(Locale.ROOT, "fuse2fs: write %.0f MiB/s, read %.0f MiB/s, untar %.2f s, find+stat %.2f s%n",
                mib / f.write, mib / f.read, f.untar, f.stat);
        System.out.printf(Locale.ROOT,
                "RESULT ext2 seq_write_ratio=%.2f seq_read_ratio=%.2f untar_ratio=%.2f stat_ratio=%.2f"
                        + " p2k_write_mibs=%.0f p2k_read_mibs=%.0f p2k_untar_s=%.2f p2k_stat_s=%.2f"
                        + " fuse2fs_write_mibs=%.0f fuse2fs_read_mibs=%.0f fuse2fs_untar_s=%.2f fuse2fs_stat_s=%.2f files=%d%n",
                f.write / p.write, f.read / p.read, f.untar / p.untar, f.stat / p.stat,
                mib / p.write, mib / p.read, p.untar, p.stat, mib / f.write, mib / f.read, f.untar, f.stat, files);
    }

    private static Times best(List<Times> l) {
        double w = Double.MAX_VALUE;
        double r = Double.MAX_VALUE;
        double u = Double.MAX_VALUE;
        double s = Double.MAX_VALUE;
        for (Times t : l) {
            w = Math.min(w, t.write);
            r = Math.min(r, t.read);
            u = Math.min(u, t.untar);
            s = Math.min(s, t.stat);
        }
        return new Times(w, r, u, s);
    }

    /** One round of one side on a fresh image: the four phases, seconds each. */
    private Times round(Side side, int r) throws Exception {
        Path img = work.resolve(side.name() + ".img");
        Path mnt = work.resolve(side.name() + ".mnt");
        Files.deleteIfExists(img);
        Files.createDirectories(mnt);
        sh("mke2fs -q -F -t ext2 -b 4096 '" + img + "' " + IMAGE_MB + "M");
        Process p = side.mount(img, mnt);
        double write = time("dd if=/dev/zero of='" + mnt + "/big' bs=1M count=" + BIG_MB + " conv=fsync status=none");
        stop(p, mnt);
        dropCaches();
        p = side.mount(img, mnt);
        double read = time("dd if='" + mnt + "/big' of=/dev/null bs=1M status=none");
        Files.createDirectories(mnt.resolve("src"));
        double untar = time("tar -xf '" + tarball + "' -C '" + mnt + "/src'");
        stop(p, mnt);
        dropCaches();
        p = side.mount(img, mnt);
        double stat = time("find '" + mnt + "/src' -printf '%s %m %u %T@\\n' >/dev/null");
        stop(p, mnt);
        Files.deleteIfExists(img);
        System.out.printf(Locale.ROOT, "round %d %-8s write %.2f s, read %.2f s, untar %.2f s, find+stat %.2f s%n",
                r, side.name(), write, read, untar, stat);
        return new Times(write, read, untar, stat);
    }

    private static double time(String cmd) throws Exception {
        long t0 = System.nanoTime();
        sh(cmd);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void dropCaches() throws Exception {
        sh("sync; echo 3 > /proc/sys/vm/drop_caches");
    }

    /** Starts a foreground server and returns once {@code mnt} is a mount point. */
    private static Process start(List<String> cmd, Path mnt) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (mounted(mnt)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IOException(String.join(" ", cmd) + " ended with status " + p.exitValue());
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not mount within 60 s");
    }

    /** Unmounts and waits for the server to end, which is when its image is written back. */
    private static void stop(Process p, Path mnt) throws Exception {
        sh("fusermount3 -u '" + mnt + "'");
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("a server did not end after its unmount");
        }
    }

    private static boolean mounted(Path mnt) throws IOException {
        String m = mnt.toAbsolutePath().toString();
        for (String l : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = l.split(" ");
            if (f.length > 1 && f[1].equals(m)) {
                return true;
            }
        }
        return false;
    }

    private static boolean onPath(String tool) {
        for (String d : (System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/sbin:/usr/sbin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code cmd} with {@code sh -c}; its output, or an IOException with it if it fails. */
    static String sh(String cmd) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        String s = new String(out, StandardCharsets.UTF_8);
        if (rc != 0) {
            throw new IOException("`" + cmd + "` failed (" + rc + "): " + s.trim());
        }
        return s;
    }
}
