package io.jrump.vfs;

import io.jrump.kern.vfs.Fcntl;


import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KMutex;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What an open vnode file keeps beside its {@link io.jrump.kern.file.KFile} ({@code struct file}'s vnode
 * part): the vnode, with one reference held from open to the last close; the access it was opened for;
 * the credentials of the opener, which later reads and writes use; and the file offset, which calls
 * that use it change under {@link #offsetLock} so that concurrent reads and writes through one file
 * description each get their own range, as POSIX requires of regular files.
 */
public final class OpenFile {
    final Vnode vp;
    /** {@link Fcntl#FREAD} and/or {@link Fcntl#FWRITE}. */
    final int fflags;
    final Cred cred;
    final KMutex offsetLock;
    long offset;
    /** Owners (processes) that set advisory locks through this file: released when it closes. */
    private Set<Object> lockOwners;

    OpenFile(Kernel k, Vnode vp, int fflags, Cred cred) {
        this.vp = vp;
        this.fflags = fflags;
        this.cred = cred;
        this.offsetLock = k.newMutex();
    }

    public Vnode vnode() {
        return vp;
    }

    public boolean readable() {
        return (fflags & Fcntl.FREAD) != 0;
    }

    public boolean writable() {
        return (fflags & Fcntl.FWRITE) != 0;
    }

    /** The offset, for listings; changing it goes through the VFS. */
    public long offset() {
        return offset;
    }

    synchronized void addLockOwner(Object owner) {
        if (lockOwners == null) {
            lockOwners = Collections.newSetFromMap(new IdentityHashMap<>());
        }
        lockOwners.add(owner);
    }

    synchronized List<Object> takeLockOwners() {
        if (lockOwners == null) {
            return List.of();
        }
        List<Object> l = List.copyOf(lockOwners);
        lockOwners = null;
        return l;
    }
}
