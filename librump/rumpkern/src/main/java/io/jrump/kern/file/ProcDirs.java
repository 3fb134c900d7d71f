package io.jrump.kern.file;

import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.KinfoFile;
import io.jrump.kern.sysctl.SysctlRecords;

/**
 * A kernel service the file system layer offers so that {@code kern.files} lists, beside a process's
 * descriptors, the directories it holds: its current directory ({@link KinfoFile#FD_CWD}, fstat's
 * {@code wd}) and, if it changed it, its root ({@link KinfoFile#FD_ROOT}). The kernel core keeps no
 * directories itself, so without the VFS there are none to list.
 */
public interface ProcDirs {
    /**
     * Adds {@code p}'s directory records to {@code out}; {@code r} comes with the owner's fields set
     * (uid, pid, command) for the service to reset and fill.
     */
    void describe(Proc p, KinfoFile r, SysctlRecords out);
}
