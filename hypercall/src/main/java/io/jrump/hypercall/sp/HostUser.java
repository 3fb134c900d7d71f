package io.jrump.hypercall.sp;

import com.sun.security.auth.module.UnixSystem;

/**
 * The uid and gid the host runs this JVM as, against which a sysproxy server compares a unix-socket
 * peer's credentials: the user who runs a rump server owns its kernel.
 */
public record HostUser(int uid, int gid) {
    public static HostUser current() {
        UnixSystem u = new UnixSystem();
        return new HostUser((int) u.getUid(), (int) u.getGid());
    }
}
