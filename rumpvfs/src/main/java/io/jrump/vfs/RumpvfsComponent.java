package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;


import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.kern.sysctl.SysctlType;
import io.jrump.vfs.dev.MemDevice;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.rumpfs.RumpfsVfsOps;

/**
 * {@code rumpvfs}: the virtual file system (NetBSD's {@code librumpvfs}), attached at the VFS level as
 * NetBSD attaches it. It mounts rumpfs as the root file system with {@code /dev} ({@code null},
 * {@code zero}) and {@code /tmp} (mode 1777), registers the {@code rumpfs} type for further mounts,
 * sets up etfs, and offers the kernel services {@link Vfs} (the file system calls) and {@link Etfs}.
 * Sysctl {@code kern.maxvnodes} bounds the vnode cache.
 */
public final class RumpvfsComponent implements Component {
    @Override
    public String name() {
        return "rumpvfs";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.VFS;
    }

    @Override
    public String description() {
        return "vnodes, namei, mounts, rumpfs root, etfs, /dev";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        SysctlNode maxvnodes = k.sysctl().createInt("kern.maxvnodes", "Maximum number of vnodes",
                VnodeCache.MAXVNODES_DEFAULT, SysctlNode.READWRITE,
                v -> v >= VnodeCache.MAXVNODES_MIN && v <= (1 << 24));
        Vfs vfs = new Vfs(k, maxvnodes);
        k.sysctl().createDynamic("kern.numvnodes", "Vnodes in the cache", SysctlType.INT,
                () -> vfs.vnodeCache().size());
        vfs.devsw().attachChar(DevSw.MEM_MAJOR, new MemDevice());
        RumpfsVfsOps rumpfs = new RumpfsVfsOps(vfs);
        vfs.types().register(rumpfs);
        try {
            Mount root = vfs.mountRoot(rumpfs, null);
            Etfs etfs = new Etfs(vfs, root);
            populate(k, vfs);
            k.registerService(Etfs.class, etfs);
        } catch (ErrnoException e) {
            vfs.shutdown();
            throw new BootException("rumpvfs: cannot set up the root file system: " + e.getMessage());
        }
        k.registerService(Vfs.class, vfs);
        k.registerService(io.jrump.kern.file.ProcDirs.class, new CwdFiles(vfs));
        new VfsSyscalls(vfs).register(k.syscallTable());
    }

    /** {@code /dev/null}, {@code /dev/zero} and {@code /tmp}, made as process 0. */
    private static void populate(Kernel k, Vfs vfs) throws ErrnoException {
        Lwp l = k.proc0().newLwp("vfsinit");
        try {
            vfs.mkdir(l, "/dev", 0755);
            vfs.mknod(l, "/dev/null", StatMode.S_IFCHR | 0666, DevSw.makedev(DevSw.MEM_MAJOR, DevSw.NULL_MINOR));
            vfs.chmod(l, "/dev/null", 0666);
            vfs.mknod(l, "/dev/zero", StatMode.S_IFCHR | 0666, DevSw.makedev(DevSw.MEM_MAJOR, DevSw.ZERO_MINOR));
            vfs.chmod(l, "/dev/zero", 0666);
            vfs.mkdir(l, "/tmp", 01777);
            vfs.chmod(l, "/tmp", 01777);
        } finally {
            k.proc0().lwpExit(l);
        }
    }

    /**
     * Drops every process's directories, unmounts everything (by force: at halt nothing may keep a file
     * system) and closes etfs's host files, so the kernel's memory account ends at zero.
     */
    @Override
    public void detach(Kernel k) {
        k.syscallTable().unregisterAll(VfsSyscalls.OWNER);
        k.unregisterService(io.jrump.kern.file.ProcDirs.class);
        Vfs vfs = k.service(Vfs.class);
        Etfs etfs = k.service(Etfs.class);
        if (vfs != null) {
            vfs.shutdown();
        }
        if (etfs != null) {
            etfs.shutdown();
        }
        k.unregisterService(Vfs.class);
        k.unregisterService(Etfs.class);
        k.sysctl().destroy("kern.maxvnodes");
        k.sysctl().destroy("kern.numvnodes");
    }
}
