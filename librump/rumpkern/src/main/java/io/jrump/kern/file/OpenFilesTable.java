package io.jrump.kern.file;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.KinfoFile;
import io.jrump.kern.sysctl.SysctlRecords;

/**
 * {@code kern.files}: every open descriptor of every process as a {@link KinfoFile} record, which
 * {@code fstat} prints (NetBSD's {@code kern.file2} by process), each process's directories first
 * when the VFS offers them ({@link ProcDirs}). The kernel fills what the descriptor table knows; each
 * file's {@link FileOps#describe} adds what it is.
 */
public final class OpenFilesTable {
    /** The sysctl name. */
    public static final String NAME = "kern.files";

    private OpenFilesTable() {
    }

    public static void records(Kernel k, SysctlRecords out) {
        KinfoFile r = new KinfoFile();
        ProcDirs dirs = k.service(ProcDirs.class);
        for (Proc p : k.procs()) {
            if (dirs != null) {
                r.reset();
                r.uid = p.cred().uid();
                r.pid = p.pid();
                r.comm = p.name();
                r.fdflags = 0;
                r.flags = 0;
                r.refs = 0;
                dirs.describe(p, r, out);
            }
            FileTable ft = p.files();
            for (int fd : ft.descriptors()) {
                KFile fp;
                try {
                    fp = ft.get(fd);
                } catch (ErrnoException e) {
                    continue; // closed while we looked
                }
                try {
                    r.reset();
                    r.uid = p.cred().uid();
                    r.pid = p.pid();
                    r.comm = p.name();
                    r.fd = fd;
                    r.fdflags = ft.fdFlags(fd);
                    r.flags = fp.flags();
                    r.refs = fp.refs() - 1;
                    r.kind = fp.ops().kind();
                    r.rw = KinfoFile.R | KinfoFile.W;
                    fp.ops().describe(fp, r);
                } catch (ErrnoException e) {
                    continue; // closed while we looked
                } finally {
                    try {
                        ft.put(fp);
                    } catch (ErrnoException e) {
                        // the last reference went with our look; the file is closed all the same
                    }
                }
                out.add(r);
            }
        }
    }
}
