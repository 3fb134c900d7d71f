package io.jrump.p2k;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code rump_mount -t rumpfs|ext2fs [-o ro] SOURCE MOUNTPOINT} and {@code rump_ext2fs [-o ro] IMAGE
 * MOUNTPOINT}: serves a file system of the kernel on a Linux directory until the directory is unmounted
 * ({@code fusermount3 -u}, {@code umount}) or the process gets SIGTERM or SIGINT, which unmount it. Runs in
 * the foreground; prints {@code rump_mount: mounted ...} once the mount is up. A wrong flag, a missing
 * image or mount point, or a mount the host refuses is one line on stderr and exit status 1.
 */
public final class P2kMain {
    private P2kMain() {
    }

    static final String USAGE = "usage: rump_mount [-f] -t rumpfs|ext2fs [-o ro] SOURCE MOUNTPOINT\n"
            + "       rump_ext2fs [-f] [-o ro] IMAGE MOUNTPOINT\n"
            + "  (-f: stay in the foreground; otherwise the server runs on in the background once mounted)";

    /** Parsed command line; null fields mean a usage error, already reported in {@code error}. */
    record Args(String fsType, boolean readOnly, String source, Path mountpoint, String error) {
    }

    static Args parse(String[] argv) {
        String type = null;
        boolean ro = false;
        int i = 0;
        while (i < argv.length && argv[i].startsWith("-") && argv[i].length() > 1) {
            String a = argv[i];
            if (a.equals("-t") || a.equals("-o")) {
                if (i + 1 >= argv.length) {
                    return new Args(null, false, null, null, "option " + a + " needs a value");
                }
                String v = argv[i + 1];
                if (a.equals("-t")) {
                    type = v;
                } else {
                    for (String o : v.split(",")) {
                        switch (o) {
                            case "ro", "rdonly" -> ro = true;
                            case "rw" -> ro = false;
                            default -> {
                                return new Args(null, false, null, null, "unknown mount option " + o);
                            }
                        }
                    }
                }
                i += 2;
            } else if (a.equals("--")) {
                i++;
                break;
            } else {
                return new Args(null, false, null, null, "unknown flag " + a);
            }
        }
        if (argv.length - i != 2) {
            return new Args(null, false, null, null, "expected SOURCE and MOUNTPOINT");
        }
        if (type == null) {
            return new Args(null, false, null, null, "no file system type (-t rumpfs|ext2fs)");
        }
        if (!type.equals("rumpfs") && !type.equals("ext2fs")) {
            return new Args(null, false, null, null, "unknown file system type " + type + " (rumpfs, ext2fs)");
        }
        String source = argv[i];
        Path mnt = Path.of(argv[i + 1]);
        if (type.equals("ext2fs") && !Files.isRegularFile(Path.of(source)) && !Files.exists(Path.of(source))) {
            return new Args(null, false, null, null, "no image " + source);
        }
        if (!Files.isDirectory(mnt)) {
            return new Args(null, false, null, null, "mount point " + mnt + " is not a directory");
        }
        return new Args(type, ro, source, mnt, null);
    }

    public static void main(String[] argv) {
        String prog = System.getProperty("p2k.prog", "rump_mount");
        Args a = parse(argv);
        if (a.error() != null) {
            System.err.println(prog + ": " + a.error());
            System.err.println(USAGE);
            System.exit(1);
            return;
        }
        P2k p2k;
        try {
            p2k = P2k.start(new P2k.Options(a.fsType(), a.source(), a.mountpoint(), a.readOnly()),
                    msg -> System.err.println(msg));
        } catch (IOException | RuntimeException e) {
            System.err.println(prog + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(p2k::close, "p2k-shutdown"));
        System.out.println(prog + ": mounted " + a.source() + " (" + a.fsType() + (a.readOnly() ? ", read-only" : "")
                + ") on " + p2k.mountpoint());
        System.out.flush();
        try {
            p2k.awaitUnmount();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p2k.close();
        System.exit(0);
    }
}
