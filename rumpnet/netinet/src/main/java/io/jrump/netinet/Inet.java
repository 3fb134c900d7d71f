package io.jrump.netinet;

import io.jrump.kern.Kernel;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.IfIoctl;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.RouteTable;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.EtherType;
import io.jrump.wire.IpProtocol;
import java.util.List;

/**
 * One kernel's IPv4 stack ({@code rumpnet_netinet}'s state): addresses, ARP, IP input and output,
 * forwarding, reassembly, ICMP, the transport protocols' input switch ({@code inetsw}) and the
 * counters {@code netstat -s} prints. Registered as a kernel service so that tools and the
 * accelerator can reach it.
 */
public final class Inet {
    private final Kernel kernel;
    private final Interfaces ifs;
    private final MbufPool mbufs;
    private final Counters ipStats = IpStat.create();
    private final SysctlNode forwarding;
    private final SysctlNode ttl;
    private final SysctlNode mtudisc;
    private final InAddrs addrs;
    private final Arp arp;
    private final Icmp icmp;
    private final IpReassembly reassembly;
    private final IpInput ipInput;
    private final IpOutput ipOutput;
    private final IpForward forward;
    private final RawIp raw;
    private final Udp udp;
    private final UdpUsrreq udpUsrreq;
    private final Tcp tcp;
    private final IpProtoInput[] protocols = new IpProtoInput[256];
    private final IpCtlInput[] ctlinputs = new IpCtlInput[256];
    private final java.util.Set<Ifnet> up = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Inet(Kernel kernel) {
        this.kernel = kernel;
        this.ifs = kernel.service(Interfaces.class);
        this.mbufs = ifs.mbufs();
        var sysctl = kernel.sysctl();
        this.forwarding = sysctl.createInt("net.inet.ip.forwarding", "Forward datagrams between interfaces", 0,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
        this.ttl = sysctl.createInt("net.inet.ip.ttl", "Default TTL of datagrams we send", 64,
                SysctlNode.READWRITE, v -> v > 0 && v < 256);
        this.mtudisc = sysctl.createInt("net.inet.ip.mtudisc",
                "Send TCP segments with DF and learn the path MTU from ICMP (RFC 1191)", 1,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
        this.addrs = new InAddrs(this);
        this.arp = new Arp(this);
        this.icmp = new Icmp(this);
        this.reassembly = new IpReassembly(this);
        this.ipInput = new IpInput(this);
        this.ipOutput = new IpOutput(this);
        this.forward = new IpForward(this);
        this.raw = new RawIp(this);
        SysctlNode anonMin = sysctl.createInt("net.inet.ip.anonportmin", "First ephemeral port", 49152,
                SysctlNode.READWRITE, v -> v > 0 && v < 65536);
        SysctlNode anonMax = sysctl.createInt("net.inet.ip.anonportmax", "Last ephemeral port", 65535,
                SysctlNode.READWRITE, v -> v > 0 && v < 65536);
        this.udp = new Udp(this, anonMin, anonMax);
        this.udpUsrreq = new UdpUsrreq(this, udp);
        this.tcp = new Tcp(this, anonMin, anonMax);
        protocols[IpProtocol.ICMP] = icmp::input;
        protocols[IpProtocol.UDP] = udp::input;
        ctlinputs[IpProtocol.UDP] = udp::ctlinput;
    }

    /** Hooks the stack into the link layer and the interface ioctls. */
    /** The inet domain, for the socket layer. */
    io.jrump.rumpnet.socket.Domain domain() {
        return new InetDomain(this, udpUsrreq, tcp.usrreq());
    }

    public Tcp tcp() {
        return tcp;
    }

    public Udp udp() {
        return udp;
    }

    private void publishStatistics() {
        var sysctl = kernel.sysctl();
        ipStats.publish(sysctl, "net.inet.ip.stats");
        icmp.stats().publish(sysctl, "net.inet.icmp.stats");
        udp.stats().publish(sysctl, "net.inet.udp.stats");
        raw.stats().publish(sysctl, "net.inet.raw.stats");
        arp.stats().publish(sysctl, "net.inet.arp.stats");
        sysctl.createTable("net.inet.arp.table", "ARP cache: ip mac interface flags seconds-left", () -> {
            StringBuilder sb = new StringBuilder();
            for (ArpInfo e : arp.list()) {
                sb.append(io.jrump.wire.Ipv4Address.format(e.ip())).append(' ')
                        .append(e.complete() ? io.jrump.wire.MacAddress.format(e.mac()) : "(incomplete)").append(' ')
                        .append(e.ifname()).append(' ').append(e.permanent() ? "permanent" : "dynamic").append(' ')
                        .append(e.expiresInNanos() / 1_000_000_000L).append('\n');
            }
            return sb.toString();
        });
        sysctl.createTable("net.inet.udp.pcblist", "UDP sockets: laddr lport faddr fport pid", () -> pcbs(udp.table().list()));
    }

    private static String pcbs(List<InPcb> l) {
        StringBuilder sb = new StringBuilder();
        for (InPcb p : l) {
            sb.append(io.jrump.wire.Ipv4Address.format(p.laddr)).append(' ').append(p.lport).append(' ')
                    .append(io.jrump.wire.Ipv4Address.format(p.faddr)).append(' ').append(p.fport).append(' ')
                    .append(p.so.pid()).append(' ').append(p.so.rcv.cc()).append(' ').append(p.so.snd.cc()).append('\n');
        }
        return sb.toString();
    }

    void start() {
        publishStatistics();
        tcp.start();
        ifs.ether().register(EtherType.IPV4, ipInput::input);
        ifs.ether().register(EtherType.ARP, arp::input);
        ifs.registerIoctl(IfIoctl.SIOCAIFADDR, addrs::ioctl);
        ifs.registerIoctl(IfIoctl.SIOCDIFADDR, addrs::ioctl);
        ifs.registerSocketIoctl(IfIoctl.SIOCSARP, (arg, cred) -> arpIoctl(arg, cred, true));
        ifs.registerSocketIoctl(IfIoctl.SIOCDARP, (arg, cred) -> arpIoctl(arg, cred, false));
        ifs.onDetach(ifp -> {
            addrs.detach(ifp);
            arp.flush(ifp);
        });
        ifs.onChange(ifp -> {
            if (!ifp.isUp()) {
                up.remove(ifp);
                arp.flush(ifp);
            } else if (up.add(ifp) && ifp.type() == Ifnet.IFT_ETHER) {
                // Coming up: announce our addresses, as arp_ifinit does, so neighbours' caches are fresh.
                for (InAddr ia : addrs.list()) {
                    if (ia.ifp() == ifp) {
                        arp.announce(ifp, ia.addr());
                    }
                }
            }
        });
    }

    /** {@code arp -s} (a permanent entry, on the interface whose subnet holds the address) and {@code arp -d}. */
    private void arpIoctl(Object arg, io.jrump.kern.Cred cred, boolean set) throws io.jrump.kern.ErrnoException {
        if (!(arg instanceof ArpReq r)) {
            throw new io.jrump.kern.ErrnoException(io.jrump.hypercall.Errno.EFAULT, "ARP ioctl needs an ArpReq");
        }
        if (!cred.isRoot()) {
            throw new io.jrump.kern.ErrnoException(io.jrump.hypercall.Errno.EPERM, "only root may change ARP entries");
        }
        if (!set) {
            arp.delete(r.addr);
            return;
        }
        Ifnet ifp = r.ifname != null ? ifs.find(r.ifname) : null;
        if (ifp == null) {
            var rt = routes().lookup(r.addr);
            if (rt == null || rt.isGateway() || rt.ifp().type() != Ifnet.IFT_ETHER) {
                throw new io.jrump.kern.ErrnoException(io.jrump.hypercall.Errno.ENETUNREACH,
                        io.jrump.wire.Ipv4Address.format(r.addr) + " is not on a connected Ethernet");
            }
            ifp = rt.ifp();
        }
        arp.setStatic(ifp, r.addr, r.mac);
    }

    void stop() {
        ifs.ether().unregister(EtherType.IPV4);
        ifs.ether().unregister(EtherType.ARP);
        ifs.unregisterIoctl(IfIoctl.SIOCAIFADDR);
        ifs.unregisterIoctl(IfIoctl.SIOCDIFADDR);
        ifs.unregisterSocketIoctl(IfIoctl.SIOCSARP);
        ifs.unregisterSocketIoctl(IfIoctl.SIOCDARP);
        tcp.stop();
        arp.stop();
        reassembly.stop();
    }

    public Kernel kernel() {
        return kernel;
    }

    public Interfaces interfaces() {
        return ifs;
    }

    public RouteTable routes() {
        return ifs.routes();
    }

    public MbufPool mbufs() {
        return mbufs;
    }

    public InAddrs addrs() {
        return addrs;
    }

    public Arp arp() {
        return arp;
    }

    public Icmp icmp() {
        return icmp;
    }

    public RawIp raw() {
        return raw;
    }

    public IpOutput ipOutput() {
        return ipOutput;
    }

    IpReassembly reassembly() {
        return reassembly;
    }

    IpForward forward() {
        return forward;
    }

    SysctlNode forwarding() {
        return forwarding;
    }

    public int defaultTtl() {
        return ttl.intValue();
    }

    /** Whether TCP discovers the path MTU ({@code net.inet.ip.mtudisc}), so its segments carry DF. */
    boolean mtudisc() {
        return mtudisc.intValue() != 0;
    }

    public Counters ipStats() {
        return ipStats;
    }

    /** The loopback interface, where datagrams to our own addresses go. */
    public Ifnet loopback() {
        return ifs.find("lo0");
    }

    /** Registers a transport's input and error handler for an IP protocol number. */
    public void registerProtocol(int proto, IpProtoInput input, IpCtlInput ctl) {
        protocols[proto] = input;
        ctlinputs[proto] = ctl;
    }

    public void unregisterProtocol(int proto) {
        protocols[proto] = null;
        ctlinputs[proto] = null;
    }

    IpProtoInput protocol(int proto) {
        return protocols[proto & 0xff];
    }

    IpCtlInput ctlinput(int proto) {
        return ctlinputs[proto & 0xff];
    }

    /** Counters of every protocol, for {@code netstat -s}. */
    public List<Counters> statistics() {
        return List.of(ipStats, icmp.stats(), tcp.stats(), udp.stats(), raw.stats(), arp.stats());
    }

    /** Datagrams being reassembled (for tests of the reassembly bounds). */
    public int reassembliesInProgress() {
        return reassembly.inProgress();
    }
}
