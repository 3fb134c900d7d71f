package io.jrump.rumpnet.socket;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code kern.sockets}: every socket with its owner, descriptor and addresses, one per line, which
 * {@code sockstat} and {@code netstat -a} print (NetBSD reads {@code kern.file2} and the pcb lists).
 */
final class SocketTable {
    private SocketTable() {
    }

    static String lines(Kernel k, Sockets sockets) {
        Map<Socket, String> owners = new IdentityHashMap<>();
        for (Proc p : k.procs()) {
            for (int fd : p.files().descriptors()) {
                try {
                    KFile fp = p.files().get(fd);
                    try {
                        if (fp.data() instanceof Socket so) {
                            owners.putIfAbsent(so, p.cred().uid() + " " + p.pid() + " " + p.name().replaceAll("\\s", "_") + " " + fd);
                        }
                    } finally {
                        p.files().put(fp);
                    }
                } catch (ErrnoException e) {
                    // closed while we looked
                }
            }
        }
        StringBuilder sb = new StringBuilder();
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
                String owner = owners.getOrDefault(so, so.cred().uid() + " " + so.pid() + " ? -");
                sb.append(owner).append(' ').append(so.domain().family()).append(' ').append(so.type()).append(' ')
                        .append(so.protosw().protocol()).append(' ')
                        .append(SockAddr.format(local.addr)).append(' ').append(local.port).append(' ')
                        .append(SockAddr.format(peer.addr)).append(' ').append(peer.port).append(' ')
                        .append(so.state()).append(' ').append(so.rcv.cc()).append(' ').append(so.snd.cc()).append('\n');
            } finally {
                so.lock().exit();
            }
        }
        return sb.toString();
    }
}
