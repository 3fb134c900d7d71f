package io.jrump.vfs;

import io.jrump.kern.file.ProcDirs;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.KinfoFile;
import io.jrump.kern.sysctl.SysctlRecords;

/**
 * The directories a process holds, for {@code kern.files} ({@link ProcDirs}): its current directory,
 * and its root when {@code chroot} changed it, as NetBSD's fstat lists {@code wd} and {@code root}. A
 * process that never used a path holds none yet and shows none.
 */
final class CwdFiles implements ProcDirs {
    private final Vfs vfs;

    CwdFiles(Vfs vfs) {
        this.vfs = vfs;
    }

    @Override
    public void describe(Proc p, KinfoFile r, SysctlRecords out) {
        CwdInfo c = vfs.cwdInfoIfPresent(p);
        if (c == null) {
            return;
        }
        Vnode cwd = c.refCwd();
        Vnode root = c.refRoot();
        try {
            add(cwd, KinfoFile.FD_CWD, r, out);
            Mount top = vfs.mounts().rootMount();
            if (top == null || root != top.rootVnode()) {
                add(root, KinfoFile.FD_ROOT, r, out);
            }
        } finally {
            cwd.rele();
            root.rele();
        }
    }

    private static void add(Vnode vp, int fd, KinfoFile r, SysctlRecords out) {
        r.reset();
        r.fd = fd;
        r.kind = '-';
        r.rw = KinfoFile.R;
        VnodeFile.describe(vp, r);
        out.add(r);
    }
}
