package io.jrump.netinet.tcp;

import io.jrump.kern.intr.Callout;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.socket.Socket;

/**
 * A TCP connection's control block ({@code struct tcpcb}): the send and receive sequence variables of
 * RFC 9293 section 3.3.1, negotiated options, the round-trip estimator, the congestion state, the SACK
 * scoreboard, the reassembly queue and the timers. Everything here is guarded by the socket's lock.
 * Field names follow RFC 9293 (SND.UNA is {@code sndUna}) so that the rules cited in the input classes
 * ({@link TcpInput} and the steps it hands segments to) and {@link TcpOutput} read against the RFC.
 */
final class TcpCb {
    /**
     * What a TCP socket's pcb costs the host: the {@link InPcb} and this block, with its reassembly
     * queue, SACK scoreboard, congestion state and five callouts. Measured as about 1,330 bytes beyond a
     * UDP socket's (a TCP socket with its descriptor took 2,190 bytes, a UDP one 862);
     * {@code KernelMemoryFootprintTest} checks the sum. Charged while the pcb is in TCP's table.
     */
    static final long KMEM_BYTES = 1400;
    /** The kernel memory account of TCP pcbs. */
    static final String KMEM_TYPE = "tcpcb";

    static final int TF_ACKNOW = 0x0001;
    static final int TF_DELACK = 0x0002;
    static final int TF_NODELAY = 0x0004;
    static final int TF_SENTFIN = 0x0010;
    static final int TF_REQ_SCALE = 0x0020;
    static final int TF_RCVD_SCALE = 0x0040;
    static final int TF_REQ_TSTMP = 0x0080;
    static final int TF_RCVD_TSTMP = 0x0100;
    static final int TF_SACK_PERMIT = 0x0200;
    static final int TF_WILL_SACK = 0x0400;
    static final int TF_FASTRECOVERY = 0x0800;
    static final int TF_SACK_RECOVERY = 0x1000;
    static final int TF_KEEPALIVE = 0x2000;
    static final int TF_FORCE = 0x4000;
    static final int TF_RCVD_FIN = 0x8000;
    static final int TF_DETACHED = 0x10000;
    static final int TF_CLOSED = 0x20000;

    final Tcp tcp;
    final InPcb inp;
    final Socket so;
    int state = TcpState.CLOSED;
    int flags;

    // send sequence space, RFC 9293 section 3.3.1
    int iss;
    int sndUna;
    int sndNxt;
    /** Highest sequence number sent ({@code snd_max}); {@code sndNxt} moves back for retransmissions. */
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    /** Largest window the peer ever offered (RFC 5961 section 5.2's MAX.SND.WND). */
    int maxSndWnd;

    // receive sequence space
    int irs;
    int rcvNxt;
    /** Right edge of the window last advertised ({@code rcv_adv}); the window never shrinks below it. */
    int rcvAdv;
    int lastAckSent;

    // options
    int maxseg = 536;
    int peerMss = 536;
    int sndScale;
    int rcvScale;
    int requestedRcvScale;
    int tsRecent;
    /** Receive-buffer autosizing: whether a measurement is open, since {@link #rfbufTs}. */
    boolean rfbufOn;
    /** The route's interface had adapter memory at establishment ({@link TcpAdapterBuffers}). */
    boolean adapterCapable;
    /** When {@link TcpAdapterBuffers} last looked at this connection. */
    long adapterCheckNanos;
    /** When the receive side was last looked at, and {@link #bytesIn} then: its rate since. */
    long adapterRcvCheckNanos;
    long adapterRcvBytes;
    /** What the reader had taken when {@link #adapterTimer} was armed. */
    long adapterRcvRead;
    /** Whether the reader has stopped, looked at once it had a moment to read; only with adapter memory. */
    Callout adapterTimer;
    /** Receive-buffer autosizing: the timestamp value we sent that opened the current measurement. */
    int rfbufTs;
    /** Receive-buffer autosizing: in-order bytes received since {@link #rfbufTs}. */
    int rfbufCnt;
    long tsRecentAgeNanos;
    int tsOffset;
    int userMaxseg;
    /** The MSS we announce: the outgoing interface's MTU less the headers (RFC 9293 section 3.7.1). */
    int ourMss = 536;
    /** The last local error sending (no route, no buffers), reported if the connection times out. */
    int softError;

    // round-trip time, RFC 6298
    long srttNanos;
    long rttvarNanos;
    long rtoNanos;
    int rxtShift;
    /** Karn's rule (RFC 6298 section 3): the timed segment and when it left, 0 when none is timed. */
    int rtSeq;
    long rtStartNanos;
    boolean rtTiming;

    // congestion, RFC 5681 / 6582 / 6675
    TcpCongestion cc;
    int cwnd;
    int ssthresh;
    int dupAcks;
    int recover;
    /** SND.UNA before the latest cumulative ACK advanced it: RFC 6582 section 4.2's prev_highest_ack. */
    int prevHighAck;
    /** Where the last segment's data began in the send buffer, and that mbuf's first sequence number. */
    io.jrump.rumpnet.mbuf.Mbuf sndHint;
    int sndHintSeq;
    int highRxt;
    final TcpSackBoard sack = new TcpSackBoard();
    int rcvSackLeft;
    int rcvSackRight;

    // receive side
    final TcpReass reass;
    int segsSinceAck;
    int quickAcks;

    // idle, keepalive and persist
    long lastRcvNanos;
    long lastSndNanos;
    int keepProbes;
    int persistShift;
    int keepIdle;
    int keepIntvl;
    int keepCnt;

    // per-connection counters
    long segsIn;
    long segsOut;
    long bytesIn;
    long bytesOut;
    long rexmits;

    /** A kernel client's hook on a listener's connection requests ({@link TcpListenHook}), usually null. */
    TcpListenHook listenHook;
    /**
     * A listener's connection requests waiting in the SYN cache, what 4.4BSD counted in {@code so_q0len}:
     * Lazy Receiver Processing counts them against the backlog (seed 003). Written under the cache's monitor.
     */
    volatile int synPending;
    /** A kernel client's hook on this connection's acknowledgements and end ({@link TcpConnHook}), usually null. */
    TcpConnHook connHook;

    /** Chain of {@link TcpConnHash}'s bucket. */
    TcpCb hashNext;
    boolean hashed;

    final Callout rexmtTimer;
    final Callout persistTimer;
    final Callout keepTimer;
    final Callout delackTimer;
    final Callout msl2Timer;
    /** The MSL class ({@link TcpMslt}) and the end of 2*MSL, set on entering TIME_WAIT. */
    int mslClass;
    long timeWaitEnd;

    TcpCb(Tcp tcp, InPcb inp) {
        this.tcp = tcp;
        this.inp = inp;
        this.so = inp.socket();
        this.reass = new TcpReass(tcp.inet().mbufs());
        var c = tcp.inet().kernel().callouts();
        TcpTimers t = tcp.timers();
        this.rexmtTimer = c.create("tcp rexmt", () -> t.rexmt(this));
        this.persistTimer = c.create("tcp persist", () -> t.persist(this));
        this.keepTimer = c.create("tcp keep", () -> t.keep(this));
        this.delackTimer = c.create("tcp delack", () -> t.delack(this));
        this.msl2Timer = c.create("tcp 2msl", () -> t.msl2(this));
        this.rtoNanos = tcp.initialRtoNanos();
        this.keepIdle = tcp.keepIdle();
        this.keepIntvl = tcp.keepIntvl();
        this.keepCnt = tcp.keepCnt();
        this.cc = tcp.newCongestion();
    }

    int maxsegOffer() {
        return ourMss;
    }

    boolean has(int f) {
        return (flags & f) != 0;
    }

    void set(int f) {
        flags |= f;
    }

    void clear(int f) {
        flags &= ~f;
    }

    /** Bytes in flight by sequence space (RFC 5681 FlightSize). */
    int flight() {
        return sndMax - sndUna;
    }

    /** The window we can offer now: free receive-buffer space, never shrinking what was advertised. */
    int receiveWindow() {
        int space = so.rcv.space() - reass.bytes();
        int max = 65535 << rcvScale;
        int win = Math.max(0, Math.min(space, max));
        int advertised = rcvAdv - rcvNxt;
        return Math.max(win, advertised);
    }

    void stopTimers() {
        rexmtTimer.stop();
        persistTimer.stop();
        keepTimer.stop();
        delackTimer.stop();
        msl2Timer.stop();
        if (adapterTimer != null) {
            adapterTimer.stop();
        }
    }

    @Override
    public String toString() {
        return "tcpcb " + inp.lport() + "->" + inp.fport() + " " + TcpState.name(state) + " flags 0x"
                + Integer.toHexString(flags) + " una " + (sndUna - iss) + " nxt " + (sndNxt - iss) + " max "
                + (sndMax - iss) + " wnd " + sndWnd + " cwnd " + cwnd + " ssthresh " + ssthresh + " rxtshift "
                + rxtShift + " rto " + rtoNanos / 1_000_000 + "ms dupacks " + dupAcks + " sacked " + sack.count()
                + " highrxt " + (highRxt - iss) + " recover " + (recover - iss) + " rcvnxt " + (rcvNxt - irs)
                + " rcvadv " + (rcvAdv - rcvNxt) + " reass " + reass.bytes() + "/" + reass.segments() + " sb "
                + so.snd.cc() + "/" + so.rcv.cc() + " rexmt " + rexmtTimer.pending() + " persist "
                + persistTimer.pending();
    }
}
