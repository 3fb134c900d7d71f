package io.jrump.p2k;

import io.jrump.hypercall.HyperThread;
import io.jrump.kern.BootException;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.vfs.Stat;
import io.jrump.vfs.MountFlags;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.VnodeCalls;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One served file system: a rump kernel linking only {@code rumpvfs} and the file system's component,
 * the file system mounted in it, and that mount served on a Linux directory through {@code /dev/fuse}
 * by {@link P2kServer}'s workers ({@code rump_ext2fs}, {@code p2k_run_fs}).
 *
 * <p>It ends when the Linux mount goes (unmounted from outside: every worker's read ends with ENODEV)
 * or on {@link #close} (which unmounts it first). Either way the open files close, the vnodes Linux
 * held are released, the kernel syncs and unmounts the file system, so a disk image is left clean,
 * and the kernel halts. Between requests {@link Syncer} writes changes back after a short quiet spell,
 * so the image is consistent soon after the last change even if the process is killed.
 */
public final class P2k implements AutoCloseable {
    /** Where the served file system is mounted inside the kernel. */
    static final String KERNEL_MOUNT = "/p2k";
    /** The etfs key of the disk image inside the kernel. */
    static final String IMAGE_KEY = "/dev/p2kimage";

    /** What to serve and where: {@code fsType} {@code rumpfs} or {@code ext2fs}, {@code source} the image. */
    public record Options(String fsType, String source, Path mountpoint, boolean readOnly, int workers,
                          long entryTimeoutNanos) {
        public Options(String fsType, String source, Path mountpoint, boolean readOnly) {
            this(fsType, source, mountpoint, readOnly, 4, TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** The kernel component holding each file system type p2k serves. */
    static String component(String fsType) {
        return switch (fsType) {
            case "rumpfs" -> null;
            case "ext2fs" -> "rumpfs_ext2fs";
            default -> throw new IllegalArgumentException("unknown file system type " + fsType + " (rumpfs, ext2fs)");
        };
    }

    private final Options opts;
    private final Kernel kernel;
    private final Vfs vfs;
    private final Lwp mainLwp;
    private final Vnode root;
    private final CredProcs creds;
    private final FuseUser fuse;
    private final P2kServer server;
    private final List<HyperThread> workers = new ArrayList<>();
    private final Syncer syncer;
    private final Consumer<String> log;
    private final String mountpoint;
    private volatile long dev = -1;
    private boolean closed;

    private P2k(Options opts, Consumer<String> log) throws IOException {
        this.opts = opts;
        this.log = log;
        this.mountpoint = opts.mountpoint().toAbsolutePath().normalize().toString();
        if (!Files.isDirectory(opts.mountpoint())) {
            throw new IOException("mount point " + mountpoint + " is not a directory");
        }
        String comp = component(opts.fsType());
        if (comp != null && !Files.isReadable(Path.of(opts.source()))) {
            throw new IOException("cannot read image " + opts.source());
        }
        if (!FuseUser.isRoot()) {
            throw new IOException("mounting through /dev/fuse needs root");
        }
        KernelConfig.Builder b = KernelConfig.builder().component("rumpvfs").ncpu(Math.max(1, opts.workers()));
        if (comp != null) {
            b.component(comp);
        }
        try {
            kernel = Kernel.boot(b.build());
        } catch (BootException e) {
            throw new IOException("kernel boot failed: " + e.getMessage(), e);
        }
        vfs = kernel.service(Vfs.class);
        Proc p1 = kernel.proc1();
        mainLwp = p1.newLwp("p2k-main");
        VnodeCalls calls = new VnodeCalls(vfs);
        Vnode r;
        enter(mainLwp);
        try {
            vfs.mkdir(mainLwp, KERNEL_MOUNT, 0755);
            int flags = opts.readOnly() ? MountFlags.MNT_RDONLY : 0;
            if (comp == null) {
                vfs.mount(mainLwp, "rumpfs", KERNEL_MOUNT, flags, "");
            } else {
                Etfs etfs = kernel.service(Etfs.class);
                etfs.register(IMAGE_KEY, Path.of(opts.source()).toAbsolutePath().toString(), EtfsType.BLK);
                vfs.mount(mainLwp, opts.fsType(), KERNEL_MOUNT, flags, IMAGE_KEY);
            }
            r = vfs.namei().lookup(p1, null, KERNEL_MOUNT, true);
        } catch (ErrnoException e) {
            exit(mainLwp);
            kernel.halt();
            throw new IOException("cannot mount " + opts.source() + " (" + opts.fsType() + ") in the kernel: "
                    + io.jrump.hypercall.Errno.name(e.errno()) + (e.getMessage() != null ? " " + e.getMessage() : ""), e);
        }
        exit(mainLwp);
        root = r;
        creds = new CredProcs(kernel, vfs, calls, root);
        FuseUser f;
        try {
            f = FuseUser.open();
            f.mount(opts.source(), mountpoint, opts.fsType(), opts.readOnly(), rootMode(calls));
        } catch (IOException e) {
            shutdownKernel();
            throw e;
        }
        fuse = f;
        server = new P2kServer(vfs, calls, root, creds, p1, fuse, opts.entryTimeoutNanos(), log);
        for (int i = 0; i < Math.max(1, opts.workers()); i++) {
            workers.add(kernel.hypercall().threads().create("p2k-worker-" + i, new Worker(server, kernel, "p2k-worker-" + i)));
        }
        syncer = new Syncer(server, kernel, vfs, p1.newLwp("p2k-syncer"));
        kernel.hypercall().threads().create("p2k-syncer", syncer);
        try {
            dev = (Long) Files.getAttribute(opts.mountpoint(), "unix:dev");
            FuseUser.setReadAhead(dev, P2kServer.MAX_READAHEAD / 1024);
        } catch (IOException | RuntimeException e) {
            log.accept("p2k: cannot stat the mount point: " + e.getMessage());
        }
    }

    /** Boots the kernel, mounts the file system in it and on {@code opts.mountpoint()}, and starts serving. */
    public static P2k start(Options opts, Consumer<String> log) throws IOException {
        return new P2k(opts, log);
    }

    private int rootMode(VnodeCalls calls) throws IOException {
        enter(mainLwp);
        try {
            Stat st = calls.stat(root);
            return st.mode() & 0170000;
        } catch (ErrnoException e) {
            throw new IOException("cannot stat the file system's root", e);
        } finally {
            exit(mainLwp);
        }
    }

    void enter(Lwp l) {
        kernel.hypercall().threads().setCurLwp(l);
        kernel.scheduler().schedule(l, null);
    }

    void exit(Lwp l) {
        kernel.scheduler().unschedule(l);
        kernel.hypercall().threads().setCurLwp(null);
    }

    public String mountpoint() {
        return mountpoint;
    }

    /** The node ids Linux holds (the root's included), for tests. */
    int nodeCount() {
        return server.nodes().size();
    }

    /** Waits until the Linux mount is gone (every worker has ended). */
    public void awaitUnmount() throws InterruptedException {
        for (HyperThread t : workers) {
            while (!t.join(Long.MAX_VALUE)) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Unmounts from Linux (detaching a busy mount and aborting its connection), waits for the workers,
     * then closes what Linux left open, syncs and unmounts inside the kernel and halts it. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (workersAlive()) {
            int e = FuseUser.unmount(mountpoint, false);
            if (e != 0 && e != FuseUser.L_EINVAL) {
                log.accept("p2k: umount " + mountpoint + ": " + FuseUser.strerror(e) + "; detaching it");
                FuseUser.unmount(mountpoint, true);
            }
            joinWorkers(2000);
            if (workersAlive() && dev >= 0) {
                FuseUser.abort(dev);
            }
            joinWorkers(10_000);
        }
        syncer.stop();
        fuse.close();
        shutdownKernel();
    }

    private boolean workersAlive() {
        for (HyperThread t : workers) {
            if (t.alive()) {
                return true;
            }
        }
        return false;
    }

    private void joinWorkers(long millis) {
        long deadline = kernel.hypercall().clock().monotonicNanos() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (HyperThread t : workers) {
            long left = deadline - kernel.hypercall().clock().monotonicNanos();
            if (left <= 0) {
                return;
            }
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void shutdownKernel() {
        enter(mainLwp);
        try {
            if (creds != null) {
                creds.exitAll();
            }
            if (server != null) {
                server.nodes().releaseAll();
            }
            if (root != null) {
                root.rele();
            }
            try {
                vfs.sync(mainLwp);
            } catch (ErrnoException e) {
                log.accept("p2k: sync: " + io.jrump.hypercall.Errno.name(e.errno()));
            }
            try {
                vfs.unmount(mainLwp, KERNEL_MOUNT, 0);
            } catch (ErrnoException e) {
                log.accept("p2k: unmount in the kernel: " + io.jrump.hypercall.Errno.name(e.errno())
                        + "; forcing it");
                try {
                    vfs.unmount(mainLwp, KERNEL_MOUNT, MountFlags.MNT_FORCE);
                } catch (ErrnoException e2) {
                    log.accept("p2k: forced unmount in the kernel: " + io.jrump.hypercall.Errno.name(e2.errno()));
                }
            }
        } finally {
            exit(mainLwp);
        }
        kernel.halt();
    }
}
