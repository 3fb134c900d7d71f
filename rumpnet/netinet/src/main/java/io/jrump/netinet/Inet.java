package io.jrump.netinet;

import io.jrump.kern.Kernel;
import io.jrump.kern.SysctlNode;
import io.jrump.net.IfIoctl;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.RouteTable;
import io.jrump.net.mbuf.MbufPool;
import io.jrump.net.wire.EtherType;
import io.jrump.net.wire.IpProtocol;
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
        protocols[IpProtocol.ICMP] = icmp::input;
        protocols[IpProtocol.UDP] = udp::input;
        ctlinputs[IpProtocol.UDP] = udp::ctlinput;
    }

    /** Hooks the stack into the link layer and the interface ioctls. */
    /** The inet domain, for the socket layer. */
    io.jrump.net.socket.Domain domain() {
        return new InetDomain(this, udpUsrreq);
    }

    public Udp udp() {
        return udp;
    }

    void start() {
        ifs.ether().register(EtherType.IPV4, ipInput::input);
        ifs.ether().register(EtherType.ARP, arp::input);
        ifs.registerIoctl(IfIoctl.SIOCAIFADDR, addrs::ioctl);
        ifs.registerIoctl(IfIoctl.SIOCDIFADDR, addrs::ioctl);
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

    void stop() {
        ifs.ether().unregister(EtherType.IPV4);
        ifs.ether().unregister(EtherType.ARP);
        ifs.unregisterIoctl(IfIoctl.SIOCAIFADDR);
        ifs.unregisterIoctl(IfIoctl.SIOCDIFADDR);
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
        return List.of(ipStats, icmp.stats(), udp.stats(), raw.stats(), arp.stats());
    }

    /** Datagrams being reassembled (for tests of the reassembly bounds). */
    public int reassembliesInProgress() {
        return reassembly.inProgress();
    }
}
