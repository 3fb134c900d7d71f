package io.jrump.rumpnet.socket;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.sysctl.KinfoSocket;
import io.jrump.kern.sysctl.SysctlRecords;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code kern.sockets}: every socket with its owner, descriptor and addresses as a {@link KinfoSocket}
 * record, which {@code sockstat} prints and {@code netstat} falls back on where the stack keeps no pcb
 * lists (NetBSD's sockstat reads {@code kern.file2} and {@code kern.proc2}).
 */
final class SocketTable {
    private SocketTable() {
    }

    /** Who holds a socket: the first descriptor found for it. */
    private record Owner(Proc proc, int fd) {
    }

    static void records(Kernel k, Sockets sockets, SysctlRecords out) {
        Map<Socket, Owner> owners = new IdentityHashMap<>();
        for (Proc p : k.procs()) {
            for (int fd : p.files().descriptors()) {
                try {
                    KFile fp = p.files().get(fd);
                    try {
                        if (fp.data() instanceof Socket so) {
                            owners.putIfAbsent(so, new Owner(p, fd));
                        }
                    } finally {
                        p.files().put(fp);
                    }
                } catch (ErrnoException e) {
                    // closed while we looked
                }
            }
        }
        KinfoSocket r = new KinfoSocket();
        SockAddr local = new SockAddr();
        SockAddr peer = new SockAddr();
        for (Socket so : sockets.list()) {
            local.set(0, 0, 0);
            peer.set(0, 0, 0);
            so.lock().enter();
            try {
                if (so.isFreed()) {
                    continue;
                }
                so.protosw().sockaddr(so, local);
                try {
                    so.protosw().peeraddr(so, peer);
                } catch (ErrnoException e) {
                    // not connected: the peer stays *.*
                }
                Owner o = owners.get(so);
                r.uid = o != null ? o.proc().cred().uid() : so.cred().uid();
                r.pid = o != null ? o.proc().pid() : so.pid();
                r.fd = o != null ? o.fd() : -1;
                r.comm(o != null ? o.proc().name() : "");
                r.family = so.domain().family();
                r.type = so.type();
                r.protocol = so.protosw().protocol();
                r.laddr = local.addr;
                r.lport = local.port;
                r.faddr = peer.addr;
                r.fport = peer.port;
                r.state = so.state();
                r.rcvcc = so.rcv.cc();
                r.sndcc = so.snd.cc();
            } finally {
                so.lock().exit();
            }
            out.add(r);
        }
    }
}
