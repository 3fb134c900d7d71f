package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sysctl.KinfoPcb;
import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InPcbTable;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.IpProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One kernel's TCP (RFC 9293): its tunables as sysctls under {@code net.inet.tcp}, its counters, the
 * pcb tables (listeners in {@link InPcbTable}, connections also in {@link TcpConnHash}), the SYN
 * cache, TIME_WAIT, and the parts that do the work: {@link TcpInput}, {@link TcpOutput} with
 * {@link TcpTransmit}, {@link TcpTimers}, {@link TcpUsrreq}.
 */
public final class Tcp {
    static final long SEC = 1_000_000_000L;
    static final long MS = 1_000_000L;
    /** RFC 6298 section 2.4: the RTO is capped (at least 60 s). */
    static final long RTO_MAX = 64 * SEC;
    /** Retransmissions before ETIMEDOUT ({@code TCP_MAXRXTSHIFT}). */
    static final int MAXRXTSHIFT = 12;
    /** SYN retransmissions before a connect fails. */
    static final int SYN_RETRIES = 6;

    private final Inet inet;
    private final Counters stats = TcpStat.create();
    private final InPcbTable table;
    private final TcpConnHash conns;
    private final TcpIss iss;
    private final TcpTimers timers;
    private final TcpTransmit transmit;
    private final TcpOutput output;
    private final TcpInput input;
    private final TcpCtlInput ctlInput;
    private final TcpSynCache synCache;
    private final TcpTimeWait timeWait;
    private final TcpMslt mslt;
    private final Vtw vtw;
    private final TcpUsrreq usrreq;
    final SysctlNode sendspace;
    final SysctlNode recvspace;
    final SysctlNode mssdflt;
    final SysctlNode rfc1323;
    final SysctlNode sackEnable;
    final SysctlNode msl;
    final SysctlNode keepidle;
    final SysctlNode keepintvl;
    final SysctlNode keepcnt;
    final SysctlNode keepinit;
    final SysctlNode delackTicks;
    final SysctlNode rtoMinMs;
    final SysctlNode congctl;
    final SysctlNode synCacheLimit;
    final SysctlNode synBucketLimit;
    final SysctlNode challengeAckLimit;
    final SysctlNode quickAckSegs;
    final SysctlNode initWin;
    final TcpBufAutosize autosize;
    final TcpAdapterBuffers adapterBuffers;

    public Tcp(Inet inet, SysctlNode anonMin, SysctlNode anonMax) {
        this.inet = inet;
        Sysctl s = inet.kernel().sysctl();
        int rw = SysctlNode.READWRITE;
        sendspace = s.createInt("net.inet.tcp.sendspace", "Default TCP send buffer", 256 * 1024, rw, v -> v > 0);
        recvspace = s.createInt("net.inet.tcp.recvspace", "Default TCP receive buffer", 256 * 1024, rw, v -> v > 0);
        mssdflt = s.createInt("net.inet.tcp.mssdflt", "MSS when the peer sends none (RFC 9293 3.7.1)", 536, rw,
                v -> v >= 64 && v <= 65495);
        rfc1323 = s.createInt("net.inet.tcp.rfc1323", "Window scaling and timestamps (RFC 7323)", 1, rw,
                v -> v == 0 || v == 1);
        sackEnable = s.createInt("net.inet.tcp.sack.enable", "Selective acknowledgements (RFC 2018)", 1, rw,
                v -> v == 0 || v == 1);
        msl = s.createInt("net.inet.tcp.msl", "Maximum segment lifetime in seconds; TIME_WAIT lasts twice it", 30,
                rw, v -> v >= 0 && v <= 600);
        keepidle = s.createInt("net.inet.tcp.keepidle", "Seconds idle before keepalive probes", 7200, rw,
                v -> v > 0);
        keepintvl = s.createInt("net.inet.tcp.keepintvl", "Seconds between keepalive probes", 75, rw, v -> v > 0);
        keepcnt = s.createInt("net.inet.tcp.keepcnt", "Unanswered keepalive probes before dropping", 8, rw,
                v -> v > 0);
        keepinit = s.createInt("net.inet.tcp.keepinit", "Seconds a connection may take to establish", 75, rw,
                v -> v > 0);
        delackTicks = s.createInt("net.inet.tcp.delack_ticks", "Ticks an ACK may be delayed (RFC 1122 4.2.3.2)",
                Math.max(1, inet.kernel().callouts().hz() / 10), rw, v -> v >= 0);
        rtoMinMs = s.createInt("net.inet.tcp.rto_min_ms", "Smallest retransmission timeout (RFC 6298 2.4)", 200, rw,
                v -> v >= 10 && v <= 60000);
        s.createString("net.inet.tcp.congctl.available", "Congestion control algorithms", "newreno cubic", 0, v -> true);
        congctl = s.createString("net.inet.tcp.congctl.selected", "Congestion control for new connections",
                "newreno", rw, v -> Set.of("newreno", "cubic").contains(v));
        synCacheLimit = s.createInt("net.inet.tcp.syn_cache_limit", "Most embryonic connections held (SYN cache)",
                10255, rw, v -> v > 0);
        synBucketLimit = s.createInt("net.inet.tcp.syn_bucket_limit", "Most SYN cache entries in one hash bucket",
                105, rw, v -> v > 0);
        challengeAckLimit = s.createInt("net.inet.tcp.challenge_ack_limit",
                "Challenge ACKs sent per second (RFC 5961 7)", 1000, rw, v -> v > 0);
        quickAckSegs = s.createInt("net.inet.tcp.quickack", "Segments ACKed at once after a connection opens", 16,
                rw, v -> v >= 0);
        initWin = s.createInt("net.inet.tcp.init_win",
                "Initial congestion window in segments (RFC 6928); 0: RFC 5681's two to four", 10, rw,
                v -> v >= 0 && v <= 64);
        this.autosize = new TcpBufAutosize(s);
        this.adapterBuffers = new TcpAdapterBuffers(this);
        this.mslt = new TcpMslt(this, s);
        this.vtw = new Vtw(this, s);
        this.table = new InPcbTable(inet, "tcp", anonMin, anonMax, TcpCb.KMEM_TYPE, TcpCb.KMEM_BYTES);
        table.setVestigial(vtw);
        var rnd = inet.kernel().hypercall().random();
        this.conns = new TcpConnHash(4096, (int) rnd.nextLong());
        this.iss = new TcpIss(rnd.nextLong(), rnd.nextLong());
        this.timers = new TcpTimers(this);
        this.transmit = new TcpTransmit(this);
        this.output = new TcpOutput(this, transmit);
        this.timeWait = new TcpTimeWait(this);
        this.synCache = new TcpSynCache(this);
        this.input = new TcpInput(this);
        this.ctlInput = new TcpCtlInput(this);
        this.usrreq = new TcpUsrreq(this);
    }

    /**
     * The initial congestion window in bytes for a connection whose segments carry {@code mss} bytes.
     * {@code net.inet.tcp.init_win} segments (RFC 6928's ten by default, as Linux and FreeBSD send); 0
     * gives RFC 5681 section 3.1's equation 1 (two to four segments by size). RFC 6928 section 2 also caps
     * the window at 14,600 bytes; like Linux we count segments only, so that a path with jumbo frames (a
     * DART adapter's, seed 002) starts with ten of its own segments rather than two. If the SYN or SYN,ACK
     * was retransmitted the window is one segment (RFC 5681 section 3.1, RFC 6928 section 2), since the
     * path has just lost a packet.
     */
    int initialWindow(int mss, boolean synLost) {
        if (synLost) {
            return mss;
        }
        int segs = initWin.intValue();
        if (segs == 0) {
            return mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
        }
        return (int) Math.min((long) segs * mss, Integer.MAX_VALUE / 4);
    }

    public void start() {
        Sysctl s = inet.kernel().sysctl();
        stats.publish(s, "net.inet.tcp.stats");
        vtw.start(s);
        s.createStruct("net.inet.tcp.pcblist", "TCP connections and vestigial TIME_WAIT entries, as kinfo_pcb records",
                KinfoPcb.SIZE, out -> TcpPcbList.records(this, out));
        inet.registerProtocol(IpProtocol.TCP, input::input, ctlInput::ctlinput);
    }

    /** Tears every connection down: the kernel is halting; their sockets are freed by the socket layer. */
    public void stop() {
        inet.unregisterProtocol(IpProtocol.TCP);
        synCache.clear();
        vtw.stop();
        for (InPcb p : table.list()) {
            if (p.ppcb() instanceof TcpCb tp) {
                tp.so.lock().enter();
                try {
                    tp.stopTimers();
                    tp.reass.flush();
                    conns.remove(tp);
                    tp.set(TcpCb.TF_CLOSED);
                } finally {
                    tp.so.lock().exit();
                }
            }
            table.remove(p);
        }
    }

    public Counters stats() {
        return stats;
    }

    Inet inet() {
        return inet;
    }

    InPcbTable table() {
        return table;
    }

    TcpConnHash conns() {
        return conns;
    }

    TcpTimers timers() {
        return timers;
    }

    TcpOutput output() {
        return output;
    }

    TcpTransmit transmit() {
        return transmit;
    }

    TcpInput input() {
        return input;
    }

    TcpSynCache synCache() {
        return synCache;
    }

    TcpTimeWait timeWait() {
        return timeWait;
    }

    TcpMslt mslt() {
        return mslt;
    }

    Vtw vtw() {
        return vtw;
    }

    /** TCP's socket entry points, for the inet domain. */
    public Protosw usrreq() {
        return usrreq;
    }

    TcpUsrreq tcpUsrreq() {
        return usrreq;
    }

    int newIss(int laddr, int lport, int faddr, int fport) {
        return iss.next(laddr, lport, faddr, fport, now());
    }

    /** The timestamp offset of the four-tuple ({@link TcpIss#tsOffset}). */
    int tsOffset(int laddr, int lport, int faddr, int fport) {
        return iss.tsOffset(laddr, lport, faddr, fport);
    }

    long now() {
        return inet.kernel().hypercall().clock().monotonicNanos();
    }

    /** RFC 7323 section 5.4: a timestamp clock of 1 ms ticks. */
    int tsNow() {
        return (int) (now() / MS);
    }

    long initialRtoNanos() {
        return SEC;
    }

    long rtoMinNanos() {
        return rtoMinMs.intValue() * MS;
    }

    int keepIdle() {
        return keepidle.intValue();
    }

    int keepIntvl() {
        return keepintvl.intValue();
    }

    int keepCnt() {
        return keepcnt.intValue();
    }

    long mslNanos() {
        return msl.intValue() * SEC;
    }

    TcpCongestion newCongestion() {
        return TcpCongestion.named(congctl.stringValue());
    }

    /**
     * {@code tcp_close}: the connection is over. Its pcb leaves the tables, its timers stop, queued
     * out-of-order data is freed, and the socket is told it is disconnected and freed if no descriptor
     * holds it any more. Lock held.
     */
    void close(TcpCb tp) {
        if (tp.has(TcpCb.TF_CLOSED)) {
            return;
        }
        if (tp.state == TcpState.TIME_WAIT) {
            timeWait.left(tp);
        }
        tp.set(TcpCb.TF_CLOSED);
        tp.stopTimers();
        tp.reass.flush();
        conns.remove(tp);
        table.remove(tp.inp);
        tp.inp.setPpcb(null);
        tp.state = TcpState.CLOSED;
        stats.inc(TcpStat.CLOSED);
        var so = tp.so;
        TcpConnHook hook = tp.connHook;
        if (hook != null) {
            tp.connHook = null;
            hook.closed(so.isFreed() ? 0 : so.error());
        }
        if (!so.isFreed()) {
            so.soisdisconnected();
            so.setPcb(null);
            so.sofree();
        }
    }

    /**
     * {@code tcp_drop}: aborts the connection with {@code errno} for the user; a synchronized
     * connection tells the peer with a RST (RFC 9293 section 3.10.5). Lock held.
     */
    void drop(TcpCb tp, int errno) {
        if (tp.has(TcpCb.TF_CLOSED)) {
            return;
        }
        if (tp.state >= TcpState.SYN_RECEIVED && tp.state != TcpState.TIME_WAIT) {
            transmit.sendRst(tp);
            stats.inc(TcpStat.DROPS);
        } else {
            stats.inc(TcpStat.CONNDROPS);
        }
        if (errno != 0 && !tp.so.isFreed()) {
            tp.so.setError(errno);
        }
        close(tp);
    }

    /**
     * Installs (or with null removes) a kernel client's hook on the TCP socket {@code listener}, which
     * must be listening: EINVAL otherwise. Takes the socket's lock unless the caller holds it.
     */
    public void setListenHook(Socket listener, TcpListenHook hook) throws ErrnoException {
        withLock(listener, () -> {
            TcpCb tp = TcpUsrreq.tcb(listener);
            if (tp.state != TcpState.LISTEN || tp.has(TcpCb.TF_CLOSED)) {
                throw new ErrnoException(Errno.EINVAL, "not a listening TCP socket");
            }
            tp.listenHook = hook;
        });
    }

    /**
     * Installs (or with null removes) a kernel client's hook on the TCP connection of {@code so}:
     * EINVAL if it has none, ENOTCONN once it is closed. Takes the socket's lock unless the caller
     * holds it.
     */
    public void setConnHook(Socket so, TcpConnHook hook) throws ErrnoException {
        withLock(so, () -> {
            TcpCb tp = TcpUsrreq.tcb(so);
            if (hook != null && tp.has(TcpCb.TF_CLOSED)) {
                throw new ErrnoException(Errno.ENOTCONN, "connection closed");
            }
            tp.connHook = hook;
        });
    }

    /**
     * Early demultiplexing for Lazy Receiver Processing: the socket a segment from {@code src:sport} to
     * our {@code dst:dport} is for, its connection's or else a listener's, or null (TIME_WAIT, no one).
     * The same order as {@code TcpInput}'s lookup, without allocation, from the driver's receive context;
     * the segment still takes that lookup when it is processed.
     */
    public Socket demux(int src, int sport, int dst, int dport) {
        TcpCb tp = conns.lookup(dst, dport, src, sport);
        if (tp != null) {
            return tp.state == TcpState.TIME_WAIT ? null : tp.so;
        }
        InPcb p = table.lookupListener(dst, dport);
        return p == null ? null : p.socket();
    }

    /**
     * Whether a listening socket's backlog is exceeded as Lazy Receiver Processing judges it (seed 003,
     * "protocol processing is disabled for listening sockets that have exceeded their listen backlog limit"):
     * completed connections and requests waiting in the SYN cache together, the half-open ones being what
     * the 4.4BSD backlog counted, past {@code sonewconn}'s three halves of the limit.
     */
    public boolean listenBacklogExceeded(Socket so) {
        if (so.backlogFull()) {
            return true;
        }
        int pending = so.pcb() instanceof InPcb p && p.ppcb() instanceof TcpCb tp ? tp.synPending : 0;
        return so.qlen() + pending > 3 * Math.max(1, so.qlimit()) / 2;
    }

    /** Every TCP pcb, listeners included. */
    public List<InPcb> pcbs() {
        return table.list();
    }

    /** The TCP socket listening on {@code port} for any local address, or null if none is. */
    public Socket listener(int port) {
        for (InPcb p : table.list()) {
            if (p.lport() == port && p.laddr() == 0 && p.fport() == 0 && p.ppcb() instanceof TcpCb tp
                    && tp.state == TcpState.LISTEN && !tp.has(TcpCb.TF_CLOSED)) {
                return tp.so;
            }
        }
        return null;
    }

    private interface LockedStep {
        void run() throws ErrnoException;
    }

    private static void withLock(Socket so, LockedStep step) throws ErrnoException {
        boolean take = !so.lock().owned();
        if (take) {
            so.lock().enter();
        }
        try {
            step.run();
        } finally {
            if (take) {
                so.lock().exit();
            }
        }
    }

    /** Every connection's block, for tests and the halt. */
    List<TcpCb> connections() {
        List<TcpCb> l = new ArrayList<>();
        for (InPcb p : table.list()) {
            if (p.ppcb() instanceof TcpCb tp) {
                l.add(tp);
            }
        }
        return l;
    }

    /** One line per connection with its sequence and congestion state, for a test's failure message. */
    public String describeConnections() {
        StringBuilder sb = new StringBuilder();
        for (TcpCb tp : connections()) {
            sb.append(tp).append('\n');
        }
        return sb.toString();
    }

    /**
     * How many connections are in each state ({@code netstat -an}'s state column), listeners and full
     * TIME_WAIT blocks included, vestigial TIME_WAIT entries not; for tests that wait for connections
     * to finish closing.
     */
    public Map<String, Integer> connectionStates() {
        Map<String, Integer> m = new TreeMap<>();
        for (TcpCb tp : connections()) {
            m.merge(TcpState.name(tp.state), 1, Integer::sum);
        }
        return m;
    }

    /** Pcbs held by TCP, listeners and TIME_WAIT included; what a leak check counts. */
    public int pcbCount() {
        return table.list().size();
    }

    /** Connections in TIME_WAIT now: full control blocks and vestigial entries. */
    public int timeWaitCount() {
        return timeWait.count() + vtw.count();
    }

    /** Connections in TIME_WAIT held as vestigial entries ({@link Vtw}). */
    public int vestigialCount() {
        return vtw.count();
    }

    /** The vestigial TIME_WAIT counters ({@code net.inet.tcp.vtw.stats}). */
    public Counters vtwStats() {
        return vtw.stats();
    }

    /** Embryonic connections in the SYN cache now. */
    public int synCacheCount() {
        return synCache.count();
    }
}
