package io.jrump.kern.sysctl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One process as {@code kern.proc.all} lists it, for {@code ps}: NetBSD's {@code struct kinfo_proc2}
 * ({@code kern.proc2}) cut to what {@code ps(1)} prints here, with the part of the CPU time spent on protocol
 * processing for the process (LRP, issue 18) added. Laid out big-endian at fixed offsets (see
 * {@link SysctlRecord}); new fields go at the end. Times are nanoseconds of virtual CPU.
 */
public final class KinfoProc implements SysctlRecord {
    /** Bytes of a record. */
    public static final int SIZE = 96;
    /** Bytes of the command name (UTF-8, NUL-padded, cut at a character boundary), {@code KI_MAXCOMLEN}. */
    public static final int COMM_LEN = 32;
    /** {@link #flags}: the process is exiting ({@code P_WEXIT}). */
    public static final int F_EXITING = 1;

    private static final int O_UID = 0;
    private static final int O_PID = 4;
    private static final int O_PPID = 8;
    private static final int O_NLWP = 12;
    private static final int O_PRI = 16;
    private static final int O_NICE = 20;
    private static final int O_ESTCPU = 24;
    private static final int O_FLAGS = 28;
    private static final int O_CPU = 32;
    private static final int O_USER = 40;
    private static final int O_PROTO = 48;
    private static final int O_COMM = 56;

    public int uid;
    public int pid;
    public int ppid;
    /** Lwps ({@code p_nlwps}). */
    public int nlwp;
    /** Scheduling priority, lower first ({@code p_priority}, 4.4BSD's scale). */
    public int pri;
    public int nice;
    /** {@code p_estcpu}: recent CPU use in clock ticks, decayed once a second. */
    public int estcpu;
    public int flags;
    /** All CPU time spent for the process. */
    public long cpuNanos;
    /** The part spent in user mode holding a virtual CPU. */
    public long userNanos;
    /** The part spent on protocol processing for it. */
    public long protoNanos;
    public String comm = "";

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b, int at) {
        b.putInt(at + O_UID, uid);
        b.putInt(at + O_PID, pid);
        b.putInt(at + O_PPID, ppid);
        b.putInt(at + O_NLWP, nlwp);
        b.putInt(at + O_PRI, pri);
        b.putInt(at + O_NICE, nice);
        b.putInt(at + O_ESTCPU, estcpu);
        b.putInt(at + O_FLAGS, flags);
        b.putLong(at + O_CPU, cpuNanos);
        b.putLong(at + O_USER, userNanos);
        b.putLong(at + O_PROTO, protoNanos);
        byte[] u = comm.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(u.length, COMM_LEN);
        while (n < u.length && n > 0 && (u[n] & 0xc0) == 0x80) {
            n--;
        }
        b.put(at + O_COMM, u, 0, n);
        for (int k = O_COMM + n; k < SIZE; k++) {
            b.put(at + k, (byte) 0);
        }
    }

    /** Decodes the record at absolute offset {@code at} of {@code b} into this one. */
    public KinfoProc read(ByteBuffer b, int at) {
        uid = b.getInt(at + O_UID);
        pid = b.getInt(at + O_PID);
        ppid = b.getInt(at + O_PPID);
        nlwp = b.getInt(at + O_NLWP);
        pri = b.getInt(at + O_PRI);
        nice = b.getInt(at + O_NICE);
        estcpu = b.getInt(at + O_ESTCPU);
        flags = b.getInt(at + O_FLAGS);
        cpuNanos = b.getLong(at + O_CPU);
        userNanos = b.getLong(at + O_USER);
        protoNanos = b.getLong(at + O_PROTO);
        int n = 0;
        while (n < COMM_LEN && b.get(at + O_COMM + n) != 0) {
            n++;
        }
        byte[] u = new byte[n];
        b.get(at + O_COMM, u, 0, n);
        comm = new String(u, StandardCharsets.UTF_8);
        return this;
    }

    /** {@code uid pid ppid nlwp pri nice estcpu flags cpu_ns user_ns proto_ns command}, blanks as underscores. */
    @Override
    public void text(StringBuilder sb) {
        sb.append(uid).append(' ').append(pid).append(' ').append(ppid).append(' ').append(nlwp).append(' ')
                .append(pri).append(' ').append(nice).append(' ').append(estcpu).append(' ').append(flags).append(' ')
                .append(cpuNanos).append(' ').append(userNanos).append(' ').append(protoNanos).append(' ')
                .append(comm.isEmpty() ? "-" : comm.replaceAll("\\s", "_"));
    }
}
