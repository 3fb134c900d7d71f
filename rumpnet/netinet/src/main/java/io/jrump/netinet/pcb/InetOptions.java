package io.jrump.netinet.pcb;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;

/** IPPROTO_IP socket options ({@code ip_ctloutput}): IP_TTL, IP_TOS, IP_HDRINCL. */
public final class InetOptions {
    private InetOptions() {
    }

    public static int get(InPcb p, int level, int name) throws ErrnoException {
        if (level != SocketDefs.IPPROTO_IP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level);
        }
        return switch (name) {
            case SocketDefs.IP_TTL -> p.ttl;
            case SocketDefs.IP_TOS -> p.tos;
            case SocketDefs.IP_HDRINCL -> p.hdrincl ? 1 : 0;
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "IP option " + name);
        };
    }

    public static void set(InPcb p, int level, int name, int value) throws ErrnoException {
        if (level != SocketDefs.IPPROTO_IP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level);
        }
        switch (name) {
            case SocketDefs.IP_TTL -> {
                if (value < 1 || value > 255) {
                    throw new ErrnoException(Errno.EINVAL, "TTL " + value);
                }
                p.ttl = value;
            }
            case SocketDefs.IP_TOS -> {
                if (value < 0 || value > 255) {
                    throw new ErrnoException(Errno.EINVAL, "TOS " + value);
                }
                p.tos = value;
            }
            case SocketDefs.IP_HDRINCL -> {
                if (p.so.type() != SocketDefs.SOCK_RAW) {
                    throw new ErrnoException(Errno.EINVAL, "IP_HDRINCL is for raw sockets");
                }
                p.hdrincl = value != 0;
            }
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "IP option " + name);
        }
    }
}
