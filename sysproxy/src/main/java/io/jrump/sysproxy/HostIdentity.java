package io.jrump.sysproxy;

import com.sun.security.auth.module.UnixSystem;

/**
 * The server process's own uid and gid on the host, against which a unix-socket peer's credentials are
 * compared: the user who runs a rump server owns its kernel.
 */
public record HostIdentity(int uid, int gid) {
    /** The identity of this JVM. */
    public static HostIdentity current() {
        UnixSystem u = new UnixSystem();
        return new HostIdentity((int) u.getUid(), (int) u.getGid());
    }
}
