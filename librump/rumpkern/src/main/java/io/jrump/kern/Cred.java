package io.jrump.kern;

import java.util.Arrays;

/**
 * A process's credentials ({@code kauth_cred_t}). Privileged operations (writing a sysctl, loading a
 * module, binding a port below 1024) ask {@link #isRoot()}; a remote client gets the uid the host
 * socket reports for it, so it is not root unless the host says so.
 */
public record Cred(int uid, int gid, int[] groups) {
    public static final Cred ROOT = new Cred(0, 0, new int[0]);

    public Cred {
        groups = groups.clone();
    }

    public boolean isRoot() {
        return uid == 0;
    }

    @Override
    public int[] groups() {
        return groups.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cred c && c.uid == uid && c.gid == gid && Arrays.equals(c.groups, groups);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * uid + gid) + Arrays.hashCode(groups);
    }

    @Override
    public String toString() {
        return "uid=" + uid + " gid=" + gid;
    }
}
