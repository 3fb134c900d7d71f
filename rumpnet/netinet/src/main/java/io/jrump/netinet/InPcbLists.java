package io.jrump.netinet;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.KinfoPcb;
import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlRecords;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.raw.RawIp;
import io.jrump.netinet.udp.Udp;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.IpProtocol;
import java.util.List;

/**
 * {@code net.inet.udp.pcblist} and {@code net.inet.raw.pcblist}: every UDP and raw IP socket's pcb as
 * a {@link KinfoPcb} record (NetBSD's {@code sysctl_inpcblist}), which {@code netstat -a} reads in one
 * call however many there are. TCP's list is {@code io.jrump.netinet.tcp.TcpPcbList}.
 */
final class InPcbLists {
    private InPcbLists() {
    }

    static void publish(Sysctl sysctl, Udp udp, RawIp raw) {
        sysctl.createStruct("net.inet.udp.pcblist", "UDP sockets, as kinfo_pcb records", KinfoPcb.SIZE,
                out -> records(udp.pcbs(), SocketDefs.SOCK_DGRAM, IpProtocol.UDP, out));
        sysctl.createStruct("net.inet.raw.pcblist", "Raw IP sockets, as kinfo_pcb records", KinfoPcb.SIZE,
                out -> records(raw.pcbs(), SocketDefs.SOCK_RAW, -1, out));
    }

    /** {@code protocol} -1: each pcb's own (a raw socket's IP protocol). */
    private static void records(List<InPcb> pcbs, int type, int protocol, SysctlRecords out) {
        KinfoPcb r = new KinfoPcb();
        for (InPcb p : pcbs) {
            Socket so = p.socket();
            r.clear();
            r.family = SocketDefs.AF_INET;
            r.type = type;
            r.protocol = protocol >= 0 ? protocol : p.proto();
            r.laddr = p.laddr();
            r.lport = p.lport();
            r.faddr = p.faddr();
            r.fport = p.fport();
            r.pid = so.pid();
            r.uid = so.cred().uid();
            r.rcvq = so.rcv.cc();
            r.sndq = so.snd.cc();
            out.add(r);
        }
    }
}
