package io.jrump.sysproxy;

import io.jrump.kern.Cred;
import java.net.InetAddress;

/**
 * Which kernel credentials a client connection gets (ARCHITECTURE.md section 8: "not all made root").
 *
 * <p>A unix-socket client is identified by its peer credentials ({@code SO_PEERCRED}). The user who runs
 * the server owns the kernel, so a peer with the server's uid is root inside it, as is the host's root,
 * who could take the server over anyway; any other uid keeps its uid and gid and is not root. A TCP peer
 * cannot be identified: one on a loopback address is treated as the server's own user (as a local tool
 * would be), one from elsewhere gets NetBSD's {@code nobody} (32767, group 39). Serve TCP on loopback
 * only, or pass a stricter policy, where local users must not be root in the kernel.
 */
public final class CredPolicy {
    public static final Cred NOBODY = new Cred(32767, 39, new int[0]);
    private final HostIdentity owner;
    private final Cred tcpRemote;
    private final Cred everyone;

    public CredPolicy(HostIdentity owner, Cred tcpRemote) {
        this(owner, tcpRemote, null);
    }

    private CredPolicy(HostIdentity owner, Cred tcpRemote, Cred everyone) {
        this.owner = owner;
        this.tcpRemote = tcpRemote;
        this.everyone = everyone;
    }

    /** Every client gets {@code cred}, whoever it is: a server for untrusted clients, or a test's. */
    public static CredPolicy everyone(Cred cred) {
        return new CredPolicy(null, cred, cred);
    }

    /** The default policy for a server run by this JVM's user. */
    public static CredPolicy standard() {
        return new CredPolicy(HostIdentity.current(), NOBODY);
    }

    public Cred unixPeer(int uid, int gid) {
        if (everyone != null) {
            return everyone;
        }
        if (uid == 0 || uid == owner.uid()) {
            return Cred.ROOT;
        }
        return new Cred(uid, gid, new int[] {gid});
    }

    public Cred tcpPeer(InetAddress peer) {
        if (everyone != null) {
            return everyone;
        }
        return peer != null && peer.isLoopbackAddress() ? unixPeer(owner.uid(), owner.gid()) : tcpRemote;
    }
}
