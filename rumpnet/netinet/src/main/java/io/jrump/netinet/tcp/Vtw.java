package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.intr.Callout;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.KinfoPcb;
import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.kern.sysctl.SysctlRecords;
import io.jrump.kern.sysctl.SysctlType;
import io.jrump.netinet.Counters;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InPcbTable;
import io.jrump.netinet.tcp.vtw.VtwPool;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;

/**
 * Vestigial TIME_WAIT (VTW, seed 004; NetBSD's {@code tcp_vtw.c}): when a connection whose socket
 * is already closed enters TIME_WAIT, its pcb, control block and socket are freed and what TIME_WAIT
 * still needs is kept in a compact entry of a fixed-size {@link VtwPool}, one pool per MSL class
 * ({@link TcpMslt}): the four-tuple, RCV.NXT and SND.NXT to acknowledge a retransmitted FIN, the
 * timestamp state to judge a new SYN by RFC 6191, the window to announce, the expiry, the
 * {@code SO_REUSEADDR}/{@code SO_REUSEPORT} flags and the owner's uid for {@code bind}. Think of it
 * as a FIN cache, by analogy with the SYN cache.
 *
 * <p>What happens to a segment for an entry is decided by {@link TcpTimeWait#judge}, the same rule
 * as for a full TIME_WAIT control block. A pool is made at its class's first entry, with
 * {@code net.inet.tcp.vtw.entries} entries (fixed from then on) charged to kernel memory; a full
 * pool discards its oldest entry. An aging tick every 200 ms, armed only while entries exist,
 * frees entries in age order; a lookup also treats an entry past its expiry as gone, so expiry is
 * exact whatever the tick's phase. Entries made while VTW was on keep working after it is turned
 * off. One monitor guards everything here; it is taken under a socket lock or the pcb table's, and
 * nothing else is taken under it.
 */
final class Vtw implements InPcbTable.Vestigial {
    static final long TICK_NANOS = 200 * Tcp.MS;

    static final int INSERTS = 0;
    static final int DELETES = 1;
    static final int EXPIRED = 2;
    static final int KILLS = 3;
    static final int LOOKUPS = 4;
    static final int HITS = 5;
    static final int MISSES = 6;
    static final int PORT_LOOKUPS = 7;
    static final int PORT_HITS = 8;
    static final int INSERT_FAILURES = 9;

    private final Tcp tcp;
    final SysctlNode enable;
    final SysctlNode entries;
    private final Counters stats = new Counters("vtw", "inserts", "deletes", "expired", "kills", "lookups", "hits",
            "misses", "port lookups", "port hits", "insert failures");
    private final VtwPool[] pools = new VtwPool[TcpMslt.NCLASS];
    private final Kmem.Type account;
    private final Callout tick;
    private final int seed;
    private final ThreadLocal<byte[]> tsOption = ThreadLocal.withInitial(() -> new byte[12]);
    private boolean tickArmed;
    private boolean stopped;
    /** Entries in use in all pools; read without the lock to skip lookups when there are none. */
    private volatile int total;

    Vtw(Tcp tcp, Sysctl s) {
        this.tcp = tcp;
        int rw = SysctlNode.READWRITE;
        enable = s.createInt("net.inet.tcp.vtw.enable",
                "Vestigial TIME_WAIT: closed connections wait in compact entries, not full pcbs", 1, rw,
                v -> v == 0 || v == 1);
        entries = s.createInt("net.inet.tcp.vtw.entries",
                "Vestigial TIME_WAIT entries per MSL class, a power of two from 16 to 1048576, fixed once used",
                4096, rw | SysctlNode.IMMUTABLE_AFTER_USE, v -> v >= 16 && v <= 1 << 20 && (v & (v - 1)) == 0);
        var k = tcp.inet().kernel();
        this.account = k.kmem().type("vtw");
        this.tick = k.callouts().create("tcp vtw tick", this::tick);
        this.seed = (int) k.hypercall().random().nextLong();
    }

    void start(Sysctl s) {
        stats.publish(s, "net.inet.tcp.vtw.stats");
        for (int c = 0; c < TcpMslt.NCLASS; c++) {
            int cls = c;
            s.createDynamic("net.inet.tcp.vtw.stats.inuse_" + TcpMslt.name(c),
                    "entries in use, class " + TcpMslt.name(c), SysctlType.QUAD, () -> (long) inUse(cls));
        }
    }

    Counters stats() {
        return stats;
    }

    boolean enabled() {
        return enable.intValue() != 0;
    }

    /** Entries in use, all classes. */
    int count() {
        return total;
    }

    synchronized int inUse(int cls) {
        return pools[cls] == null ? 0 : pools[cls].inUse();
    }

    private VtwPool pool(int cls) {
        VtwPool p = pools[cls];
        if (p == null && !stopped) {
            int n = entries.intValue();
            if (!tcp.inet().kernel().kmem().alloc(account, VtwPool.bytesFor(n))) {
                return null;
            }
            p = new VtwPool(cls, n, seed ^ cls * 0x61C88647, tcp.now());
            pools[cls] = p;
        }
        return p;
    }

    /**
     * Takes over a connection entering TIME_WAIT in class {@code cls} until {@code expire}; false if
     * no entry could be had (no kernel memory for the pool), and the full control block stays.
     */
    boolean add(TcpCb tp, int cls, long expire) {
        InPcb p = tp.inp;
        int opts = tp.so.options();
        int meta = Math.min(tp.receiveWindow() >>> tp.rcvScale, 65535);
        boolean ts = tp.has(TcpCb.TF_RCVD_TSTMP);
        if (ts) {
            meta |= VtwPool.M_TS;
        }
        if ((opts & SocketDefs.SO_REUSEADDR) != 0) {
            meta |= VtwPool.M_REUSEADDR;
        }
        if ((opts & SocketDefs.SO_REUSEPORT) != 0) {
            meta |= VtwPool.M_REUSEPORT;
        }
        synchronized (this) {
            VtwPool pool = pool(cls);
            if (pool == null) {
                stats.inc(INSERT_FAILURES);
                return false;
            }
            int old = pool.find(p.laddr(), p.lport(), p.faddr(), p.fport());
            if (old >= 0) {
                delete(pool, old);
                stats.inc(DELETES);
            }
            if (pool.full()) {
                delete(pool, pool.oldest());
                stats.inc(KILLS);
            }
            int idx = pool.add(p.laddr(), p.lport(), p.faddr(), p.fport(), expire, meta, tp.so.cred().uid());
            pool.setWord(idx, VtwPool.RCV_NXT, tp.rcvNxt);
            pool.setWord(idx, VtwPool.SND_NXT, tp.sndMax);
            pool.setWord(idx, VtwPool.TS_RECENT, ts ? tp.tsRecent : 0);
            pool.setWord(idx, VtwPool.TS_OFFSET, ts ? tp.tsOffset : 0);
            total++;
            stats.inc(INSERTS);
            armTick();
        }
        return true;
    }

    private void delete(VtwPool pool, int idx) {
        pool.delete(idx);
        total--;
    }

    private void armTick() {
        if (!tickArmed && !stopped) {
            tickArmed = true;
            tick.scheduleNanos(TICK_NANOS);
        }
    }

    /** The aging tick: every class frees its expired entries, oldest first, until one is still young. */
    private void tick() {
        synchronized (this) {
            tickArmed = false;
            long now = tcp.now();
            for (VtwPool pool : pools) {
                while (pool != null && pool.inUse() > 0 && pool.expired(pool.oldest(), now)) {
                    delete(pool, pool.oldest());
                    stats.inc(EXPIRED);
                }
            }
            if (total > 0) {
                armTick();
            }
        }
    }

    /** The live entry for a four-tuple as its class in the top byte and its index below, or -1; lock held. */
    private int findLive(int laddr, int lport, int faddr, int fport, long now) {
        for (VtwPool pool : pools) {
            if (pool == null || pool.inUse() == 0) {
                continue;
            }
            int idx = pool.find(laddr, lport, faddr, fport);
            if (idx >= 0) {
                if (pool.expired(idx, now)) {
                    delete(pool, idx);
                    stats.inc(EXPIRED);
                    return -1;
                }
                return pool.cls << 24 | idx;
            }
        }
        return -1;
    }

    /**
     * A segment that matched no connection: if it belongs to a vestigial one, it is answered as
     * TIME_WAIT answers ({@link TcpTimeWait#judge}) and true is returned; false if there is no entry,
     * or if the segment is a SYN allowed to open a new incarnation (the entry is gone then, and the
     * caller goes on to the listener).
     */
    boolean input(TcpInput.Seg s) {
        if (total == 0) {
            return false;
        }
        int seq;
        int ack;
        int win;
        boolean ts;
        int tsVal = 0;
        int tsEcr = 0;
        synchronized (this) {
            stats.inc(LOOKUPS);
            long now = tcp.now();
            int found = findLive(s.dst, s.dport, s.src, s.sport, now);
            if (found < 0) {
                stats.inc(MISSES);
                return false;
            }
            stats.inc(HITS);
            VtwPool pool = pools[found >>> 24];
            int idx = found & 0xffffff;
            int meta = pool.word(idx, VtwPool.META);
            ts = (meta & VtwPool.M_TS) != 0;
            int v = TcpTimeWait.judge(pool.word(idx, VtwPool.RCV_NXT), ts, pool.word(idx, VtwPool.TS_RECENT), s.seq,
                    s.flags, s.len, s.ts, s.tsVal);
            if (v == TcpTimeWait.J_RECYCLE) {
                delete(pool, idx);
                stats.inc(DELETES);
                tcp.stats().inc(TcpStat.TW_RECYCLED);
                return false;
            }
            if (v == TcpTimeWait.J_DROP) {
                return true;
            }
            seq = pool.word(idx, VtwPool.SND_NXT);
            ack = pool.word(idx, VtwPool.RCV_NXT);
            win = meta & VtwPool.M_WIN;
            if (ts) {
                tsVal = tcp.tsNow() + pool.word(idx, VtwPool.TS_OFFSET);
                tsEcr = pool.word(idx, VtwPool.TS_RECENT);
            }
            if (v == TcpTimeWait.J_RESTART) {
                restart(pool, idx, now + tcp.mslt().timeWaitNanos(pool.cls));
            }
        }
        byte[] opt = null;
        int optLen = 0;
        if (ts) {
            opt = tsOption.get();
            TcpOption.writeNop(opt, 0);
            TcpOption.writeNop(opt, 1);
            TcpOption.writeTimestamps(opt, 2, tsVal, tsEcr);
            optLen = 12;
        }
        tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, seq, ack, TcpFlags.ACK, win, opt, optLen);
        return true;
    }

    /** A retransmitted FIN restarts 2*MSL: the entry moves to the young end of its ring. */
    private void restart(VtwPool pool, int idx, long expire) {
        int laddr = pool.word(idx, VtwPool.LADDR);
        int faddr = pool.word(idx, VtwPool.FADDR);
        int ports = pool.word(idx, VtwPool.PORTS);
        int meta = pool.word(idx, VtwPool.META) & ~VtwPool.M_INUSE;
        int uid = pool.word(idx, VtwPool.UID);
        int rcvNxt = pool.word(idx, VtwPool.RCV_NXT);
        int sndNxt = pool.word(idx, VtwPool.SND_NXT);
        int tsRecent = pool.word(idx, VtwPool.TS_RECENT);
        int tsOffset = pool.word(idx, VtwPool.TS_OFFSET);
        pool.delete(idx);
        if (pool.full()) {
            pool.delete(pool.oldest());
            total--;
            stats.inc(KILLS);
        }
        int n = pool.add(laddr, ports >>> 16, faddr, ports & 0xffff, expire, meta, uid);
        pool.setWord(n, VtwPool.RCV_NXT, rcvNxt);
        pool.setWord(n, VtwPool.SND_NXT, sndNxt);
        pool.setWord(n, VtwPool.TS_RECENT, tsRecent);
        pool.setWord(n, VtwPool.TS_OFFSET, tsOffset);
    }

    /** Whether a live entry holds this exact four-tuple (a {@code connect} from a bound port). */
    synchronized boolean holds(int laddr, int lport, int faddr, int fport) {
        if (total == 0) {
            return false;
        }
        stats.inc(LOOKUPS);
        boolean hit = findLive(laddr, lport, faddr, fport, tcp.now()) >= 0;
        stats.inc(hit ? HITS : MISSES);
        return hit;
    }

    @Override
    public synchronized boolean portHeld(int lport) {
        if (total == 0) {
            return false;
        }
        stats.inc(PORT_LOOKUPS);
        long now = tcp.now();
        for (VtwPool pool : pools) {
            if (pool == null) {
                continue;
            }
            for (int idx = pool.nextOnPort(lport, -1); idx >= 0; idx = pool.nextOnPort(lport, idx)) {
                if (!pool.expired(idx, now)) {
                    stats.inc(PORT_HITS);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code bind} to {@code addr:lport} while entries hold that port: a TIME_WAIT connection yields
     * to {@code SO_REUSEADDR}, or to {@code SO_REUSEPORT} if it had that option too, as
     * {@link InPcbTable} rules for a full TIME_WAIT pcb; EADDRINUSE otherwise.
     */
    @Override
    public synchronized void checkBind(int addr, int lport, int options) throws ErrnoException {
        if (total == 0 || (options & SocketDefs.SO_REUSEADDR) != 0) {
            return;
        }
        stats.inc(PORT_LOOKUPS);
        long now = tcp.now();
        boolean reusePort = (options & SocketDefs.SO_REUSEPORT) != 0;
        for (VtwPool pool : pools) {
            if (pool == null) {
                continue;
            }
            for (int idx = pool.nextOnPort(lport, -1); idx >= 0; idx = pool.nextOnPort(lport, idx)) {
                if (addr != 0 && pool.word(idx, VtwPool.LADDR) != addr || pool.expired(idx, now)) {
                    continue;
                }
                if (reusePort && (pool.word(idx, VtwPool.META) & VtwPool.M_REUSEPORT) != 0) {
                    continue;
                }
                stats.inc(PORT_HITS);
                throw new ErrnoException(Errno.EADDRINUSE, Ipv4Address.format(addr) + ":" + lport
                        + " is in use by a connection in TIME_WAIT");
            }
        }
    }

    /**
     * The entries as records of {@code net.inet.tcp.pcblist}, in state TIME_WAIT and marked
     * {@link KinfoPcb#F_VESTIGIAL}; {@code r} is the caller's record, reused for each.
     */
    synchronized void list(TcpPcbList.Record r, SysctlRecords out) {
        for (VtwPool pool : pools) {
            if (pool == null) {
                continue;
            }
            pool.forEach(idx -> {
                int ports = pool.word(idx, VtwPool.PORTS);
                r.reset();
                r.flags = KinfoPcb.F_VESTIGIAL;
                r.tstate = TcpState.TIME_WAIT;
                r.laddr = pool.word(idx, VtwPool.LADDR);
                r.lport = ports >>> 16;
                r.faddr = pool.word(idx, VtwPool.FADDR);
                r.fport = ports & 0xffff;
                r.uid = pool.word(idx, VtwPool.UID);
                out.add(r);
            });
        }
    }

    /** The kernel halts: every entry goes, the pools' memory is returned, the tick stops. */
    void stop() {
        synchronized (this) {
            stopped = true;
        }
        tick.halt();
        synchronized (this) {
            for (int c = 0; c < pools.length; c++) {
                if (pools[c] != null) {
                    tcp.inet().kernel().kmem().free(account, VtwPool.bytesFor(pools[c].capacity));
                    pools[c] = null;
                }
            }
            total = 0;
            tickArmed = false;
        }
    }
}
