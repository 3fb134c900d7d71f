package io.jrump.bench;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bench/run vfs}: rumpfs through {@link Syscalls} in this process against Java NIO on the
 * host's tmpfs ({@code /dev/shm}), and etfs against plain NIO on the same host file, from one JVM in
 * one run. Each figure is the best of several timed rounds after untimed warm-up rounds, so that both
 * sides run JIT-compiled code. The RESULT line gives rump/host ratios (above 1: the rump kernel is
 * faster) and the absolute figures: MiB/s for sequential 1 MiB I/O of a 256 MiB file, 4 KiB random
 * reads per second, create+unlink, mkdir+rmdir and stat (at depth 8) per second, and milliseconds to
 * read a 10,000-entry directory.
 *
 * <p>The host side of the rumpfs comparisons reads into and writes from a direct buffer, NIO's fastest
 * path, so those ratios are conservative. etfs is compared with NIO reading the same file into the
 * same kind of buffer the rump caller passes (a heap {@code ByteBuffer}), since etfs's read is that NIO
 * read plus the kernel's work; the direct-buffer figure is printed beside it.
 */
public final class VfsBench {
    private static final int MIB = 1 << 20;
    private static final long FILE = 256L * MIB;
    private static final int RAND_READS = 200_000;
    private static final int META_OPS = 20_000;
    private static final int DIR_ENTRIES = 10_000;
    private static final int WARMUP = 2;
    private static final int ROUNDS = 3;

    private VfsBench() {
    }

    @FunctionalInterface
    interface Round {
        /** Runs one round; returns the operations (or bytes) it did. */
        long run() throws Exception;
    }

    /** The best rate over {@link #ROUNDS} timed rounds, after {@link #WARMUP} untimed ones. */
    static double rate(Round r) throws Exception {
        for (int k = 0; k < WARMUP; k++) {
            r.run();
        }
        double best = 0;
        for (int k = 0; k < ROUNDS; k++) {
            long t0 = System.nanoTime();
            long n = r.run();
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, n / s);
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "jrump-vfsbench");
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("vfsbench").component("rumpvfs")
                .memoryLimit(1L << 30).build());
        try {
            run(k, k.syscalls(), shm);
        } finally {
            k.halt();
            try (var s = Files.walk(shm)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Kernel k, Syscalls sys, Path shm) throws Exception {
        ByteBuffer rb = ByteBuffer.allocate(MIB);
        ByteBuffer hb = ByteBuffer.allocateDirect(MIB);
        new SplittableRandom(1).nextBytes(rb.array());
        hb.put(rb.duplicate()).flip();

        // sequential write and read of a 256 MiB file, 1 MiB at a time
        double rumpW = rate(() -> {
            int fd = sys.open("/tmp/big", Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
            for (long off = 0; off < FILE; off += MIB) {
                sys.write(fd, rb.clear());
            }
            sys.close(fd);
            return FILE;
        }) / MIB;
        Path hostBig = shm.resolve("big");
        double hostW = rate(() -> {
            try (FileChannel ch = FileChannel.open(hostBig, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long off = 0; off < FILE; off += MIB) {
                    ch.write(hb.clear());
                }
            }
            return FILE;
        }) / MIB;
        double rumpR = rate(() -> {
            int fd = sys.open("/tmp/big", Fcntl.O_RDONLY, 0);
            long n = 0;
            for (int got; (got = sys.read(fd, rb.clear())) > 0; ) {
                n += got;
            }
            sys.close(fd);
            return n;
        }) / MIB;
        double hostR = rate(() -> readHost(hostBig, hb)) / MIB;

        // random 4 KiB reads
        ByteBuffer r4 = ByteBuffer.allocate(4096);
        ByteBuffer h4 = ByteBuffer.allocateDirect(4096);
        long blocks = FILE / 4096;
        int rfd = sys.open("/tmp/big", Fcntl.O_RDONLY, 0);
        double rumpRand = rate(() -> {
            SplittableRandom rnd = new SplittableRandom(2);
            for (int n = 0; n < RAND_READS; n++) {
                sys.pread(rfd, r4.clear(), rnd.nextLong(blocks) * 4096);
            }
            return RAND_READS;
        });
        sys.close(rfd);
        double hostRand;
        try (FileChannel ch = FileChannel.open(hostBig, StandardOpenOption.READ)) {
            hostRand = rate(() -> {
                SplittableRandom rnd = new SplittableRandom(2);
                for (int n = 0; n < RAND_READS; n++) {
                    ch.read(h4.clear(), rnd.nextLong(blocks) * 4096);
                }
                return RAND_READS;
            });
        }
        sys.unlink("/tmp/big");

        // etfs: the host file shown in the kernel, against NIO reading the same file
        k.service(Etfs.class).register("/etfsbig", hostBig.toString(), EtfsType.REG);
        double etfsR = rate(() -> {
            int fd = sys.open("/etfsbig", Fcntl.O_RDONLY, 0);
            long n = 0;
            for (int got; (got = sys.read(fd, rb.clear())) > 0; ) {
                n += got;
            }
            sys.close(fd);
            return n;
        }) / MIB;
        double nioR = rate(() -> readHost(hostBig, rb)) / MIB;
        double nioDirectR = rate(() -> readHost(hostBig, hb)) / MIB;
        k.service(Etfs.class).remove("/etfsbig");
        Files.delete(hostBig);

        // metadata: create+unlink, mkdir+rmdir, stat at depth 8
        sys.mkdir("/tmp/m", 0755);
        Path hm = Files.createDirectory(shm.resolve("m"));
        String[] names = new String[META_OPS];
        Path[] hnames = new Path[META_OPS];
        for (int i = 0; i < META_OPS; i++) {
            names[i] = "/tmp/m/f" + i;
            hnames[i] = hm.resolve("f" + i);
        }
        double rumpCreate = rate(() -> {
            for (String n : names) {
                sys.close(sys.open(n, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0644));
            }
            for (String n : names) {
                sys.unlink(n);
            }
            return META_OPS;
        });
        double hostCreate = rate(() -> {
            for (Path p : hnames) {
                FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).close();
            }
            for (Path p : hnames) {
                Files.delete(p);
            }
            return META_OPS;
        });
        double rumpMkdir = rate(() -> {
            for (String n : names) {
                sys.mkdir(n, 0755);
            }
            for (String n : names) {
                sys.rmdir(n);
            }
            return META_OPS;
        });
        double hostMkdir = rate(() -> {
            for (Path p : hnames) {
                Files.createDirectory(p);
            }
            for (Path p : hnames) {
                Files.delete(p);
            }
            return META_OPS;
        });
        StringBuilder deep = new StringBuilder("/tmp");
        Path hdeep = shm;
        for (int d = 1; d <= 7; d++) {
            deep.append("/d").append(d);
            hdeep = hdeep.resolve("d" + d);
            sys.mkdir(deep.toString(), 0755);
            Files.createDirectory(hdeep);
        }
        String leaf = deep + "/f";
        Path hleaf = hdeep.resolve("f");
        sys.close(sys.open(leaf, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644));
        Files.createFile(hleaf);
        double rumpStat = rate(() -> {
            long s = 0;
            for (int i = 0; i < META_OPS * 5; i++) {
                s += sys.stat(leaf).ino();
            }
            return s == 0 ? 0 : META_OPS * 5;
        });
        double hostStat = rate(() -> {
            long s = 0;
            for (int i = 0; i < META_OPS * 5; i++) {
                s += Files.readAttributes(hleaf, BasicFileAttributes.class).size() + 1;
            }
            return s == 0 ? 0 : META_OPS * 5;
        });

        // getdents of a 10,000-entry directory
        sys.mkdir("/tmp/big10k", 0755);
        Path hbig = Files.createDirectory(shm.resolve("big10k"));
        for (int i = 0; i < DIR_ENTRIES; i++) {
            sys.close(sys.open("/tmp/big10k/entry" + i, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644));
            Files.createFile(hbig.resolve("entry" + i));
        }
        double rumpDents = rate(() -> listRump(sys, "/tmp/big10k"));
        double hostDents = rate(() -> listHost(hbig));

        System.out.println(String.format(Locale.ROOT, "rumpfs: seq write %.0f MiB/s, seq read %.0f MiB/s, "
                + "rand 4k %.0f reads/s, create+unlink %.0f/s, mkdir+rmdir %.0f/s, stat(depth 8) %.0f/s, "
                + "getdents 10k %.2f ms", rumpW, rumpR, rumpRand, rumpCreate, rumpMkdir, rumpStat, 1e3 * DIR_ENTRIES / rumpDents));
        System.out.println(String.format(Locale.ROOT, "host tmpfs (NIO): seq write %.0f MiB/s, seq read %.0f MiB/s, "
                + "rand 4k %.0f reads/s, create+unlink %.0f/s, mkdir+rmdir %.0f/s, stat(depth 8) %.0f/s, "
                + "directory read 10k %.2f ms", hostW, hostR, hostRand, hostCreate, hostMkdir, hostStat, 1e3 * DIR_ENTRIES / hostDents));
        System.out.println(String.format(Locale.ROOT, "etfs: seq read %.0f MiB/s; plain NIO on the same file %.0f MiB/s "
                + "(into a direct buffer %.0f MiB/s)", etfsR, nioR, nioDirectR));
        System.out.println(String.format(Locale.ROOT, "RESULT vfs seq_read_ratio=%.2f seq_write_ratio=%.2f "
                + "rand4k_read_ratio=%.2f create_ratio=%.2f mkdir_ratio=%.2f stat_ratio=%.2f getdents_ratio=%.2f "
                + "etfs_read_ratio=%.2f rump_seq_read_mibs=%.0f rump_seq_write_mibs=%.0f rump_rand4k_rps=%.0f "
                + "rump_create_ops=%.0f rump_mkdir_ops=%.0f rump_stat_ops=%.0f rump_getdents10k_ms=%.2f "
                + "host_seq_read_mibs=%.0f host_seq_write_mibs=%.0f host_rand4k_rps=%.0f host_create_ops=%.0f "
                + "host_stat_ops=%.0f etfs_read_mibs=%.0f nio_read_mibs=%.0f nio_direct_read_mibs=%.0f",
                rumpR / hostR, rumpW / hostW, rumpRand / hostRand, rumpCreate / hostCreate, rumpMkdir / hostMkdir,
                rumpStat / hostStat, rumpDents / hostDents, etfsR / nioR, rumpR, rumpW, rumpRand, rumpCreate,
                rumpMkdir, rumpStat, 1e3 * DIR_ENTRIES / rumpDents, hostR, hostW, hostRand, hostCreate, hostStat,
                etfsR, nioR, nioDirectR));
    }

    private static long readHost(Path p, ByteBuffer b) throws IOException {
        long n = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            for (int got; (got = ch.read(b.clear())) > 0; ) {
                n += got;
            }
        }
        return n;
    }

    private static long listRump(Syscalls sys, String dir) throws ErrnoException {
        int fd = sys.open(dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        long n = 0;
        for (List<Dirent> l; !(l = sys.getdents(fd, 65536)).isEmpty(); ) {
            n += l.size();
        }
        sys.close(fd);
        return n;
    }

    private static long listHost(Path dir) throws IOException {
        long n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path ignored : s) {
                n++;
            }
        }
        return n;
    }
}
