package io.jrump.sysproxy;

import io.jrump.hypercall.sp.HostUser;

/**
 * The server process's own uid and gid on the host, against which a unix-socket peer's credentials are
 * compared: the user who runs a rump server owns its kernel.
 */
public record HostIdentity(int uid, int gid) {
    /** The identity of this JVM, as the hypercall layer reads it from the host. */
    public static HostIdentity current() {
        HostUser u = HostUser.current();
        return new HostIdentity(u.uid(), u.gid());
    }
}
