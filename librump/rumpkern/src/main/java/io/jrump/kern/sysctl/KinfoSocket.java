package io.jrump.kern.sysctl;

import io.jrump.kern.syscall.SockAddr;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One socket as {@code kern.sockets} lists it, for {@code sockstat} and for {@code netstat} on a stack
 * that keeps no pcb lists: NetBSD's {@code struct kinfo_file} ({@code kern.file2}) for a socket, with the
 * owner's command name carried along (NetBSD's sockstat joins {@code kern.proc2} for it), laid out
 * big-endian at fixed offsets (see {@link SysctlRecord}). New fields go at the end.
 */
public final class KinfoSocket implements SysctlRecord {
    /** Bytes of a record. */
    public static final int SIZE = 80;
    /** Bytes of the command name field (UTF-8, NUL-padded, cut at a character boundary). */
    public static final int COMM_LEN = 32;

    private static final int O_UID = 0;
    private static final int O_PID = 4;
    private static final int O_FD = 8;
    private static final int O_FAMILY = 12;
    private static final int O_TYPE = 16;
    private static final int O_PROTOCOL = 20;
    private static final int O_LADDR = 24;
    private static final int O_LPORT = 28;
    private static final int O_FPORT = 30;
    private static final int O_FADDR = 32;
    private static final int O_STATE = 36;
    private static final int O_RCVCC = 40;
    private static final int O_SNDCC = 44;
    private static final int O_COMM = 48;

    public int uid;
    public int pid;
    /** The descriptor in the owner's table, -1 for a socket no descriptor refers to. */
    public int fd;
    public int family;
    public int type;
    public int protocol;
    public int laddr;
    public int lport;
    public int faddr;
    public int fport;
    /** {@code so_state}. */
    public int state;
    public int rcvcc;
    public int sndcc;
    /** The owner's command name, empty if the socket has no owner with a descriptor. */
    public String comm = "";
    private final byte[] commBytes = new byte[COMM_LEN];
    private int commLen;

    /** Sets {@link #comm}, cut to what the record holds. */
    public KinfoSocket comm(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, COMM_LEN);
        while (n < b.length && n > 0 && (b[n] & 0xc0) == 0x80) {
            n--;
        }
        System.arraycopy(b, 0, commBytes, 0, n);
        commLen = n;
        comm = n == b.length ? name : new String(b, 0, n, StandardCharsets.UTF_8);
        return this;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b, int at) {
        b.putInt(at + O_UID, uid);
        b.putInt(at + O_PID, pid);
        b.putInt(at + O_FD, fd);
        b.putInt(at + O_FAMILY, family);
        b.putInt(at + O_TYPE, type);
        b.putInt(at + O_PROTOCOL, protocol);
        b.putInt(at + O_LADDR, laddr);
        b.putShort(at + O_LPORT, (short) lport);
        b.putShort(at + O_FPORT, (short) fport);
        b.putInt(at + O_FADDR, faddr);
        b.putInt(at + O_STATE, state);
        b.putInt(at + O_RCVCC, rcvcc);
        b.putInt(at + O_SNDCC, sndcc);
        b.put(at + O_COMM, commBytes, 0, commLen);
        for (int k = commLen; k < COMM_LEN; k++) {
            b.put(at + O_COMM + k, (byte) 0);
        }
    }

    /** Decodes the record at absolute offset {@code at} of {@code b} into this one. */
    public KinfoSocket read(ByteBuffer b, int at) {
        uid = b.getInt(at + O_UID);
        pid = b.getInt(at + O_PID);
        fd = b.getInt(at + O_FD);
        family = b.getInt(at + O_FAMILY);
        type = b.getInt(at + O_TYPE);
        protocol = b.getInt(at + O_PROTOCOL);
        laddr = b.getInt(at + O_LADDR);
        lport = b.getShort(at + O_LPORT) & 0xffff;
        fport = b.getShort(at + O_FPORT) & 0xffff;
        faddr = b.getInt(at + O_FADDR);
        state = b.getInt(at + O_STATE);
        rcvcc = b.getInt(at + O_RCVCC);
        sndcc = b.getInt(at + O_SNDCC);
        int n = 0;
        while (n < COMM_LEN && b.get(at + O_COMM + n) != 0) {
            n++;
        }
        b.get(at + O_COMM, commBytes, 0, n);
        commLen = n;
        comm = new String(commBytes, 0, n, StandardCharsets.UTF_8);
        return this;
    }

    /**
     * {@code uid pid command fd family type protocol laddr lport faddr fport state rcvcc sndcc}, the
     * command's blanks as underscores and an unowned socket's command and descriptor as {@code ? -}.
     */
    @Override
    public void text(StringBuilder sb) {
        sb.append(uid).append(' ').append(pid).append(' ')
                .append(comm.isEmpty() ? "?" : comm.replaceAll("\\s", "_")).append(' ')
                .append(fd < 0 ? "-" : Integer.toString(fd)).append(' ').append(family).append(' ').append(type)
                .append(' ').append(protocol).append(' ').append(SockAddr.format(laddr)).append(' ').append(lport)
                .append(' ').append(SockAddr.format(faddr)).append(' ').append(fport).append(' ').append(state)
                .append(' ').append(rcvcc).append(' ').append(sndcc);
    }
}
