package io.jrump.netinet;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.net.IfAddr;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Route;
import io.jrump.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's IPv4 addresses ({@code in_ifaddrhead}) and the address ioctls ({@code in_control}:
 * SIOCAIFADDR adds an address with its connected route and a host route to it through lo0, and
 * announces it with a gratuitous ARP; SIOCDIFADDR takes them away).
 */
public final class InAddrs {
    private final Inet inet;
    private volatile InAddr[] addrs = new InAddr[0];

    InAddrs(Inet inet) {
        this.inet = inet;
    }

    public List<InAddr> list() {
        return List.of(addrs);
    }

    /** Whether {@code a} is one of ours (what {@code in_localaddr}/{@code INADDR_TO_IA} decide). */
    public boolean isLocal(int a) {
        for (InAddr ia : addrs) {
            if (ia.addr() == a) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code a} is a broadcast address for {@code ifp}: limited, or a directed broadcast of its subnets. */
    public boolean isBroadcast(int a, Ifnet ifp) {
        if (a == 0xffffffff || a == 0) {
            return true;
        }
        for (InAddr ia : addrs) {
            if (ia.ifp() == ifp && ia.prefixLen() < 31 && (a == ia.broadcast() || a == ia.network())) {
                return true;
            }
        }
        return false;
    }

    /** The first address of {@code ifp}, or 0: the source for packets sent through it. */
    public int addressOf(Ifnet ifp) {
        for (InAddr ia : addrs) {
            if (ia.ifp() == ifp) {
                return ia.addr();
            }
        }
        return 0;
    }

    /** The address on {@code ifp} whose subnet holds {@code dst}, else its first address. */
    public int sourceFor(Ifnet ifp, int dst) {
        int first = 0;
        for (InAddr ia : addrs) {
            if (ia.ifp() == ifp) {
                if (ia.onLink(dst)) {
                    return ia.addr();
                }
                if (first == 0) {
                    first = ia.addr();
                }
            }
        }
        return first;
    }

    public InAddr find(int a) {
        for (InAddr ia : addrs) {
            if (ia.addr() == a) {
                return ia;
            }
        }
        return null;
    }

    /** Adds {@code addr/prefixLen} to {@code ifp}, with its routes; EEXIST if it is already there. */
    public synchronized InAddr add(Ifnet ifp, int addr, int prefixLen, int broadcast) throws ErrnoException {
        if (prefixLen < 0 || prefixLen > 32) {
            throw new ErrnoException(Errno.EINVAL, "prefix length " + prefixLen);
        }
        if (addr == 0 || Ipv4Address.isMulticast(addr) || addr == 0xffffffff) {
            throw new ErrnoException(Errno.EINVAL, "cannot assign " + Ipv4Address.format(addr));
        }
        for (InAddr ia : addrs) {
            if (ia.addr() == addr) {
                if (ia.ifp() == ifp && ia.prefixLen() == prefixLen) {
                    return ia;
                }
                throw new ErrnoException(Errno.EEXIST, Ipv4Address.format(addr) + " is already on " + ia.ifp().name());
            }
        }
        int bcast = broadcast != 0 ? broadcast : Ipv4Address.directedBroadcast(addr, prefixLen);
        IfAddr ifa = new IfAddr(ifp, IfAddr.AF_INET, addr, prefixLen, bcast);
        InAddr ia = new InAddr(ifp, addr, prefixLen, bcast, ifa);
        ifp.addAddress(ifa);
        InAddr[] n = java.util.Arrays.copyOf(addrs, addrs.length + 1);
        n[addrs.length] = ia;
        addrs = n;
        int net = Ipv4Address.network(addr, prefixLen);
        try {
            inet.routes().add(new Route(net, prefixLen, 0, ifp, Route.RTF_UP | Route.RTF_CONNECTED
                    | (prefixLen == 32 ? Route.RTF_HOST : 0), addr));
        } catch (ErrnoException e) {
            // another address already routes this subnet; the existing route serves both
        }
        Ifnet lo = inet.loopback();
        if (lo != null && ifp != lo && prefixLen != 32) {
            try {
                inet.routes().add(new Route(addr, 32, 0, lo, Route.RTF_UP | Route.RTF_HOST | Route.RTF_LOCAL, addr));
            } catch (ErrnoException e) {
                // a host route to this address exists already
            }
        }
        if (ifp.type() == Ifnet.IFT_ETHER && ifp.isUp()) {
            inet.arp().announce(ifp, addr);
        }
        return ia;
    }

    /** Removes {@code addr}; EADDRNOTAVAIL if it is not assigned. */
    public synchronized void delete(int addr) throws ErrnoException {
        InAddr ia = find(addr);
        if (ia == null) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, Ipv4Address.format(addr) + " is not assigned");
        }
        remove(ia);
    }

    private void remove(InAddr ia) {
        List<InAddr> l = new ArrayList<>(List.of(addrs));
        l.remove(ia);
        addrs = l.toArray(new InAddr[0]);
        ia.ifp().removeAddress(ia.ifa());
        inet.routes().deleteForAddress(ia.ifp(), ia.addr());
        Ifnet lo = inet.loopback();
        if (lo != null) {
            inet.routes().deleteForAddress(lo, ia.addr());
        }
    }

    /** The interface is going away: drop its addresses. */
    synchronized void detach(Ifnet ifp) {
        for (InAddr ia : addrs) {
            if (ia.ifp() == ifp) {
                remove(ia);
            }
        }
    }

    /** SIOCAIFADDR and SIOCDIFADDR. */
    void ioctl(Ifnet ifp, long cmd, IfReq req, Cred cred) throws ErrnoException {
        if (cmd == IfIoctl.SIOCAIFADDR) {
            int prefix = req.netmask == 0 ? defaultPrefix(req.addr) : Ipv4Address.prefixLength(req.netmask);
            if (req.netmask != 0 && !Ipv4Address.isNetmask(req.netmask)) {
                throw new ErrnoException(Errno.EINVAL, "netmask " + Ipv4Address.format(req.netmask) + " is not contiguous");
            }
            add(ifp, req.addr, prefix, req.broadaddr);
        } else if (cmd == IfIoctl.SIOCDIFADDR) {
            InAddr ia = find(req.addr);
            if (ia == null || ia.ifp() != ifp) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL, Ipv4Address.format(req.addr) + " is not on " + ifp.name());
            }
            delete(req.addr);
        }
    }

    /** The classful default mask NetBSD's ifconfig assumes when none is given. */
    static int defaultPrefix(int a) {
        int top = a >>> 24;
        return top < 128 ? 8 : top < 192 ? 16 : 24;
    }
}
