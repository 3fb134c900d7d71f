package io.jrump.vfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * rumpvfs's {@link MountFactory} for ext2: a fresh image made by Linux's {@code mke2fs}, registered as
 * a block device and mounted on {@code /mnt}. It lives in rumpvfs's test package because the suites'
 * hooks are package-private there (this module reaches them through rumpvfs's test-jar).
 */
final class Ext2MountFactory implements MountFactory {
    static final Ext2MountFactory INSTANCE = new Ext2MountFactory();

    @Override
    public String prepare(Harness h) throws Exception {
        String mkfs = Files.isExecutable(Path.of("/usr/sbin/mke2fs")) ? "/usr/sbin/mke2fs"
                : Files.isExecutable(Path.of("/sbin/mke2fs")) ? "/sbin/mke2fs" : null;
        assumeTrue(mkfs != null, "mke2fs is not installed (apt-get install e2fsprogs); test skipped");
        Path img = Files.createTempFile("ext2-vfs-suite", ".img");
        img.toFile().deleteOnExit();
        Process p = new ProcessBuilder(mkfs, "-q", "-F", "-t", "ext2", "-b", "1024", img.toString(), "16M")
                .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mke2fs failed");
        }
        h.k.service(Etfs.class).register("/dk", img.toString(), EtfsType.BLK);
        Harness.P r = h.root();
        r.mkdir("/mnt", 0755);
        h.vfs.mount(r.l, "ext2fs", "/mnt", 0, "/dk");
        return "/mnt";
    }
}
