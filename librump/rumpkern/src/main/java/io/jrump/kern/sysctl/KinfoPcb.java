package io.jrump.kern.sysctl;

import io.jrump.kern.syscall.SockAddr;
import java.nio.ByteBuffer;

/**
 * One Internet protocol control block as {@code net.inet.tcp.pcblist}, {@code net.inet.udp.pcblist} and
 * {@code net.inet.raw.pcblist} list it: NetBSD's {@code struct kinfo_pcb} ({@code sys/sysctl.h}), one
 * record for every protocol, cut to what jrump keeps and laid out big-endian at fixed offsets (see
 * {@link SysctlRecord}). A vestigial TIME_WAIT entry is a record too, marked {@link #F_VESTIGIAL}, so
 * that {@code netstat -a} lists it with the connections. The kernel fills one instance per entry and
 * reuses it; a reader decodes with {@link #read}. New fields go at the end, so that a reader built
 * against this layout keeps working with a kernel whose records are longer.
 */
public class KinfoPcb implements SysctlRecord {
    /** Bytes of a record. */
    public static final int SIZE = 80;
    /** {@link #flags}: a vestigial TIME_WAIT entry, not a full pcb (NetBSD's netstat marks these too). */
    public static final int F_VESTIGIAL = 1;

    private static final int O_FAMILY = 0;
    private static final int O_TYPE = 2;
    private static final int O_PROTOCOL = 4;
    private static final int O_FLAGS = 6;
    private static final int O_TSTATE = 8;
    private static final int O_LADDR = 12;
    private static final int O_LPORT = 16;
    private static final int O_FPORT = 18;
    private static final int O_FADDR = 20;
    private static final int O_PID = 24;
    private static final int O_UID = 28;
    private static final int O_RCVQ = 32;
    private static final int O_SNDQ = 36;
    private static final int O_SEGS_IN = 40;
    private static final int O_SEGS_OUT = 48;
    private static final int O_BYTES_IN = 56;
    private static final int O_BYTES_OUT = 64;
    private static final int O_REXMITS = 72;

    /** {@code AF_*}, {@code SOCK_*} and the IP protocol number. */
    public int family;
    public int type;
    public int protocol;
    public int flags;
    /** The TCP state, numbered as NetBSD's {@code tcp_fsm.h}; 0 for other protocols. */
    public int tstate;
    public int laddr;
    public int lport;
    public int faddr;
    public int fport;
    /** The owning process (0 for a vestigial entry, which has none). */
    public int pid;
    public int uid;
    /** Bytes in the receive and send buffers. */
    public int rcvq;
    public int sndq;
    /** TCP's per-connection counters, 0 elsewhere. */
    public long segsIn;
    public long segsOut;
    public long bytesIn;
    public long bytesOut;
    public long rexmits;

    /** Clears every field, before the producer fills the record for the next entry. */
    public KinfoPcb clear() {
        family = type = protocol = flags = tstate = 0;
        laddr = lport = faddr = fport = pid = uid = rcvq = sndq = 0;
        segsIn = segsOut = bytesIn = bytesOut = rexmits = 0;
        return this;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b, int at) {
        b.putShort(at + O_FAMILY, (short) family);
        b.putShort(at + O_TYPE, (short) type);
        b.putShort(at + O_PROTOCOL, (short) protocol);
        b.putShort(at + O_FLAGS, (short) flags);
        b.putInt(at + O_TSTATE, tstate);
        b.putInt(at + O_LADDR, laddr);
        b.putShort(at + O_LPORT, (short) lport);
        b.putShort(at + O_FPORT, (short) fport);
        b.putInt(at + O_FADDR, faddr);
        b.putInt(at + O_PID, pid);
        b.putInt(at + O_UID, uid);
        b.putInt(at + O_RCVQ, rcvq);
        b.putInt(at + O_SNDQ, sndq);
        b.putLong(at + O_SEGS_IN, segsIn);
        b.putLong(at + O_SEGS_OUT, segsOut);
        b.putLong(at + O_BYTES_IN, bytesIn);
        b.putLong(at + O_BYTES_OUT, bytesOut);
        b.putLong(at + O_REXMITS, rexmits);
    }

    /** Decodes the record at absolute offset {@code at} of {@code b} into this one. */
    public KinfoPcb read(ByteBuffer b, int at) {
        family = b.getShort(at + O_FAMILY) & 0xffff;
        type = b.getShort(at + O_TYPE) & 0xffff;
        protocol = b.getShort(at + O_PROTOCOL) & 0xffff;
        flags = b.getShort(at + O_FLAGS) & 0xffff;
        tstate = b.getInt(at + O_TSTATE);
        laddr = b.getInt(at + O_LADDR);
        lport = b.getShort(at + O_LPORT) & 0xffff;
        fport = b.getShort(at + O_FPORT) & 0xffff;
        faddr = b.getInt(at + O_FADDR);
        pid = b.getInt(at + O_PID);
        uid = b.getInt(at + O_UID);
        rcvq = b.getInt(at + O_RCVQ);
        sndq = b.getInt(at + O_SNDQ);
        segsIn = b.getLong(at + O_SEGS_IN);
        segsOut = b.getLong(at + O_SEGS_OUT);
        bytesIn = b.getLong(at + O_BYTES_IN);
        bytesOut = b.getLong(at + O_BYTES_OUT);
        rexmits = b.getLong(at + O_REXMITS);
        return this;
    }

    /** {@code laddr lport faddr fport pid rcvq sndq}; a protocol with more to say overrides this. */
    @Override
    public void text(StringBuilder sb) {
        sb.append(SockAddr.format(laddr)).append(' ').append(lport).append(' ').append(SockAddr.format(faddr))
                .append(' ').append(fport).append(' ').append(pid).append(' ').append(rcvq).append(' ').append(sndq);
    }
}
