package io.jrump.netinet;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.IfIoctl;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.RouteTable;
import io.jrump.netinet.arp.Arp;
import io.jrump.netinet.arp.ArpInfo;
import io.jrump.netinet.icmp.Icmp;
import io.jrump.netinet.ip.IpCtlInput;
import io.jrump.netinet.ip.IpInput;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.netinet.ip.IpProtoInput;
import io.jrump.netinet.ip.IpStat;
import io.jrump.netinet.raw.RawIp;
import io.jrump.netinet.lrp.Lrp;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.netinet.udp.Udp;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Domain;
import io.jrump.rumpnet.socket.SockBuf;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.EtherType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.MacAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One kernel's IPv4 stack ({@code rumpnet_netinet}'s state): addresses, ARP, IP input and output,
 * ICMP, the transport protocols' input switch ({@code inetsw}) and the counters {@code netstat -s}
 * prints. It makes each protocol's part ({@code ip}, {@code arp}, {@code icmp}, {@code udp},
 * {@code raw}, {@code tcp}) and hooks them into the link layer; the parts reach each other through
 * it. Registered as a kernel service so that tools and the accelerator can reach it.
 */
public final class Inet {
    private final Kernel kernel;
    private final Interfaces ifs;
    private final MbufPool mbufs;
    private final Counters ipStats = IpStat.create();
    private final SysctlNode ttl;
    private final SysctlNode mtudisc;
    private final InAddrs addrs;
    private final Arp arp;
    private final Icmp icmp;
    private final IpInput ipInput;
    private final IpOutput ipOutput;
    private final RawIp raw;
    private final Udp udp;
    private final Tcp tcp;
    private final Lrp lrp;
    private final IpProtoInput[] protocols = new IpProtoInput[256];
    private final IpCtlInput[] ctlinputs = new IpCtlInput[256];
    private final Set<Ifnet> up = ConcurrentHashMap.newKeySet();

    Inet(Kernel kernel) {
        this.kernel = kernel;
        this.ifs = kernel.service(Interfaces.class);
        this.mbufs = ifs.mbufs();
        var sysctl = kernel.sysctl();
        this.ttl = sysctl.createInt("net.inet.ip.ttl", "Default TTL of datagrams we send", 64,
                SysctlNode.READWRITE, v -> v > 0 && v < 256);
        this.mtudisc = sysctl.createInt("net.inet.ip.mtudisc",
                "Send TCP segments with DF and learn the path MTU from ICMP (RFC 1191)", 1,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
        this.addrs = new InAddrs(this);
        this.arp = new Arp(this);
        this.icmp = new Icmp(this);
        this.ipInput = new IpInput(this);
        this.ipOutput = new IpOutput(this);
        this.raw = new RawIp(this);
        SysctlNode anonMin = sysctl.createInt("net.inet.ip.anonportmin", "First ephemeral port", 49152,
                SysctlNode.READWRITE, v -> v > 0 && v < 65536);
        SysctlNode anonMax = sysctl.createInt("net.inet.ip.anonportmax", "Last ephemeral port", 65535,
                SysctlNode.READWRITE, v -> v > 0 && v < 65536);
        this.udp = new Udp(this, anonMin, anonMax);
        this.tcp = new Tcp(this, anonMin, anonMax);
        this.lrp = new Lrp(this);
        protocols[IpProtocol.ICMP] = icmp::input;
        protocols[IpProtocol.UDP] = udp::input;
        ctlinputs[IpProtocol.UDP] = udp::ctlinput;
    }

    /** The inet domain, for the socket layer. */
    Domain domain() {
        return new InetDomain(raw, udp.usrreq(), tcp.usrreq());
    }

    public Tcp tcp() {
        return tcp;
    }

    /** Lazy Receiver Processing: the mode, the early demultiplexer and the channels' processing. */
    public Lrp lrp() {
        return lrp;
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
                sb.append(Ipv4Address.format(e.ip())).append(' ')
                        .append(e.complete() ? MacAddress.format(e.mac()) : "(incomplete)").append(' ')
                        .append(e.ifname()).append(' ').append(e.permanent() ? "permanent" : "dynamic").append(' ')
                        .append(e.expiresInNanos() / 1_000_000_000L).append('\n');
            }
            return sb.toString();
        });
        InPcbLists.publish(sysctl, udp, raw);
    }

    /** Hooks the stack into the link layer and the interface ioctls. */
    void start() {
        publishStatistics();
        tcp.start();
        lrp.start();
        ifs.ether().register(EtherType.IPV4, ipInput::input);
        ifs.ether().register(EtherType.ARP, arp::input);
        ifs.registerIoctl(IfIoctl.SIOCAIFADDR, addrs::ioctl);
        ifs.registerIoctl(IfIoctl.SIOCDIFADDR, addrs::ioctl);
        ifs.registerSocketIoctl(IfIoctl.SIOCSARP, (arg, cred) -> arp.ioctl(arg, cred, true));
        ifs.registerSocketIoctl(IfIoctl.SIOCDARP, (arg, cred) -> arp.ioctl(arg, cred, false));
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
        lrp.stop();
        ifs.ether().unregister(EtherType.IPV4);
        ifs.ether().unregister(EtherType.ARP);
        ifs.unregisterIoctl(IfIoctl.SIOCAIFADDR);
        ifs.unregisterIoctl(IfIoctl.SIOCDIFADDR);
        ifs.unregisterSocketIoctl(IfIoctl.SIOCSARP);
        ifs.unregisterSocketIoctl(IfIoctl.SIOCDARP);
        tcp.stop();
        udp.stop();
        raw.stop();
        arp.stop();
        ipInput.stop();
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

    public int defaultTtl() {
        return ttl.intValue();
    }

    /** Whether TCP discovers the path MTU ({@code net.inet.ip.mtudisc}), so its segments carry DF. */
    public boolean mtudisc() {
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

    /** The input of the transport registered for {@code proto}, or null: where IP input delivers. */
    public IpProtoInput protocol(int proto) {
        return protocols[proto & 0xff];
    }

    /** The error handler of the transport registered for {@code proto}, or null: where ICMP errors go. */
    public IpCtlInput ctlinput(int proto) {
        return ctlinputs[proto & 0xff];
    }

    /**
     * DART's {@code if_sockbuf}: once a socket is tied to an interface (the route to {@code dst}), that
     * interface's driver may raise its buffering. For UDP this only bounds the largest datagram (DART
     * seed, "Socket Buffering and Flow Control"); TCP applies it when it ties the socket to the route
     * (connect, or the socket made at SYN arrival) and again once the handshake measured the round trip
     * {@code rttNanos} (0 before). The buffers grow the way autosizing grows them ({@link SockBuf#grow}),
     * not bounded by {@code kern.sbmax}: the window scale was chosen for the interface's ceiling
     * ({@link #ifSockbufReceiveCeiling}), so the whole buffer can be advertised. Returns whether a buffer grew.
     */
    public boolean applyIfSockbuf(Socket so, int dst, long rttNanos) {
        var rt = routes().lookup(dst);
        var hook = rt == null ? null : rt.ifp().sockbufHook();
        if (hook == null) {
            return false;
        }
        int snd0 = so.snd.hiwat();
        int rcv0 = so.rcv.hiwat();
        int[] want = hook.adjust(snd0, rcv0, rttNanos);
        so.snd.grow(want[0]);
        so.rcv.grow(want[1]);
        return so.snd.hiwat() != snd0 || so.rcv.hiwat() != rcv0;
    }

    public boolean applyIfSockbuf(Socket so, int dst) {
        return applyIfSockbuf(so, dst, 0);
    }

    /**
     * The largest receive buffer the interface on the route to {@code dst} may give a socket whose buffer
     * is {@code rcv} now: what the window scale offered on a SYN must cover (RFC 7323 section 2.2).
     */
    public int ifSockbufReceiveCeiling(int dst, int snd, int rcv) {
        var rt = routes().lookup(dst);
        var hook = rt == null ? null : rt.ifp().sockbufHook();
        return hook == null ? rcv : Math.max(rcv, hook.receiveCeiling(snd, rcv));
    }

    /** Counters of every protocol, for {@code netstat -s}. */
    public List<Counters> statistics() {
        return List.of(ipStats, icmp.stats(), tcp.stats(), udp.stats(), raw.stats(), arp.stats());
    }

    /** Datagrams being reassembled (for tests of the reassembly bounds). */
    public int reassembliesInProgress() {
        return ipInput.reassembliesInProgress();
    }
}
