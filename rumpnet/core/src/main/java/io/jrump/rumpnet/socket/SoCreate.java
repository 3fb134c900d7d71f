package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * {@code socreate} (NetBSD {@code uipc_socket.c}): finds the protocol for a family, type and protocol
 * number and attaches a new socket to it. Kernel consumers (AFPA, sockin's host side) make their
 * sockets here too, without a descriptor.
 */
public final class SoCreate {
    private SoCreate() {
    }

    /**
     * A new attached socket. EAFNOSUPPORT when no linked component provides the family; for a family
     * that exists, EPROTOTYPE when it has no protocol of that type (protocol 0) or the protocol named
     * is of another type, EPROTONOSUPPORT when it has no such protocol, as {@code socreate} answers.
     * Errors of the protocol's attach (ENOBUFS, EACCES for raw sockets) pass through.
     */
    public static Socket socreate(Sockets sockets, int family, int type, int protocol, Cred cred, int pid)
            throws ErrnoException {
        Domain d = sockets.domains().find(family);
        if (d == null) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, "address family " + family + " is not in this kernel");
        }
        Protosw pr = d.lookup(type, protocol);
        if (pr == null) {
            if (protocol == 0) {
                throw new ErrnoException(Errno.EPROTOTYPE, d.name() + " has no socket type " + type);
            }
            throw new ErrnoException(Errno.EPROTONOSUPPORT, d.name() + " has no protocol " + protocol
                    + " for type " + type);
        }
        if (pr.type() != type) {
            throw new ErrnoException(Errno.EPROTOTYPE, "protocol " + protocol + " is not of type " + type);
        }
        Socket so = new Socket(sockets, d, pr, cred, pid);
        try {
            pr.attach(so, protocol);
        } catch (ErrnoException | RuntimeException e) {
            so.setPcb(null);
            so.lock().enter();
            try {
                so.setState(Socket.SS_NOFDREF);
                so.sofree();
            } finally {
                so.lock().exit();
            }
            throw e;
        }
        so.born();
        sockets.add(so);
        return so;
    }
}
