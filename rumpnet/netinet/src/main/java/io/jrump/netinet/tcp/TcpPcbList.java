package io.jrump.netinet.tcp;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.KinfoPcb;
import io.jrump.kern.sysctl.SysctlRecords;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.IpProtocol;

/**
 * {@code net.inet.tcp.pcblist}: every TCP connection, then every vestigial TIME_WAIT entry, as
 * {@link KinfoPcb} records (NetBSD's {@code sysctl_inpcblist} for TCP), which {@code netstat -a} reads
 * in one call however many there are.
 */
final class TcpPcbList {
    private TcpPcbList() {
    }

    /** A TCP record; its text line adds the state's name and the connection's counters. */
    static final class Record extends KinfoPcb {
        Record() {
            reset();
        }

        /** Back to an empty TCP record. */
        Record reset() {
            clear();
            family = SocketDefs.AF_INET;
            type = SocketDefs.SOCK_STREAM;
            protocol = IpProtocol.TCP;
            return this;
        }

        @Override
        public void text(StringBuilder sb) {
            super.text(sb);
            sb.append(' ').append(TcpState.name(tstate)).append(' ').append(segsIn).append(' ').append(segsOut)
                    .append(' ').append(bytesIn).append(' ').append(bytesOut).append(' ').append(rexmits);
        }
    }

    static void records(Tcp tcp, SysctlRecords out) {
        Record r = new Record();
        for (InPcb p : tcp.table().list()) {
            if (!(p.ppcb() instanceof TcpCb tp)) {
                continue;
            }
            Socket so = p.socket();
            r.reset();
            r.laddr = p.laddr();
            r.lport = p.lport();
            r.faddr = p.faddr();
            r.fport = p.fport();
            r.pid = so.pid();
            r.uid = so.cred().uid();
            r.rcvq = so.rcv.cc();
            r.sndq = so.snd.cc();
            r.tstate = tp.state;
            r.segsIn = tp.segsIn;
            r.segsOut = tp.segsOut;
            r.bytesIn = tp.bytesIn;
            r.bytesOut = tp.bytesOut;
            r.rexmits = tp.rexmits;
            out.add(r);
        }
        tcp.vtw().list(r, out);
    }
}
