package io.jrump.netinet.tcp;

import io.jrump.kern.intr.Callout;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;

/**
 * The SYN cache (NetBSD {@code tcp_syn_cache.c}, after Lemon's "Resisting SYN flood DoS attacks with a
 * SYN cache"): a connection request to a listening socket costs a small entry here, not a socket and a
 * control block, until the handshake's third segment proves the peer's address. The cache is bounded
 * in total ({@code net.inet.tcp.syn_cache_limit}) and per hash bucket
 * ({@code net.inet.tcp.syn_bucket_limit}); when full the oldest entry goes, so a flood costs bounded
 * memory and legitimate requests still get through. SYN,ACKs are retransmitted at 1, 2 and 4 seconds,
 * then the entry is dropped.
 *
 * <p>The cache has its own monitor, taken after a listening socket's lock, never before. An entry a
 * kernel client holds a token for ({@link TcpListenHook}) that goes without completing is reported to
 * the client after the monitor is released.
 */
final class TcpSynCache {
    static final int BUCKETS = 512;
    static final int MAX_REXMT = 3;

    static final class Entry {
        int laddr;
        int lport;
        int faddr;
        int fport;
        int iss;
        int irs;
        int peerMss;
        int ourMss;
        int sndScale = -1;
        int rcvScale;
        boolean ts;
        boolean sack;
        int tsRecent;
        int tsOffset;
        int rcvBuf;
        int rexmits;
        /** When the first SYN,ACK left: the handshake's round trip ends at the ACK. */
        long synAckNanos;
        long nextRexmt;
        int bucket;
        /** The listener's kernel client and its token for this request ({@link TcpListenHook}), or null. */
        TcpListenHook hook;
        Object token;
        /** The listener the request is for, whose {@link TcpCb#synPending} counts it. */
        TcpCb listener;
        Entry hashNext;
        Entry older;
        Entry newer;
    }

    private final Tcp tcp;
    private final Entry[] buckets = new Entry[BUCKETS];
    private final int[] bucketLen = new int[BUCKETS];
    private final int seed;
    private Entry oldest;
    private Entry newest;
    private int count;
    private final Callout timer;
    private final byte[] opts = new byte[TcpOption.MAX_OPTIONS_LEN];

    TcpSynCache(Tcp tcp) {
        this.tcp = tcp;
        this.seed = (int) tcp.inet().kernel().hypercall().random().nextLong();
        this.timer = tcp.inet().kernel().callouts().create("tcp syn cache", this::tick);
    }

    synchronized int count() {
        return count;
    }

    private int bucket(int laddr, int lport, int faddr, int fport) {
        int h = (seed ^ faddr) * 0x9e3779b1;
        h = (h ^ laddr) * 0x85ebca6b;
        h = (h ^ (fport << 16 | lport)) * 0xc2b2ae35;
        return (h ^ h >>> 16) & (BUCKETS - 1);
    }

    synchronized Entry lookup(int laddr, int lport, int faddr, int fport) {
        for (Entry e = buckets[bucket(laddr, lport, faddr, fport)]; e != null; e = e.hashNext) {
            if (e.fport == fport && e.faddr == faddr && e.lport == lport && e.laddr == laddr) {
                return e;
            }
        }
        return null;
    }

    /**
     * A SYN for the listening connection {@code ltp}: makes an entry and answers with a SYN,ACK, or
     * repeats the SYN,ACK for a duplicate SYN. The options we grant follow what the SYN offered
     * (RFC 7323 sections 2.2 and 3.2; RFC 2018 section 2); {@code rcvBuf} is the receive buffer the
     * connection will have, which sets the window scale. {@code token}, if not null, is what the
     * listener's {@code hook} gave for this request.
     */
    void add(TcpCb ltp, int laddr, int lport, int faddr, int fport, int irs, int peerMss, int wscale,
             boolean ts, int tsVal, boolean sackOk, int ourMss, int rcvBuf, TcpListenHook hook, Object token) {
        Entry e;
        Entry gone = null;
        synchronized (this) {
            e = lookup(laddr, lport, faddr, fport);
            if (e != null) {
                tcp.stats().inc(TcpStat.SC_DUPESYN);
                if (e.irs != irs) {
                    return;
                }
            } else {
                int b = bucket(laddr, lport, faddr, fport);
                if (bucketLen[b] >= tcp.synBucketLimit.intValue()) {
                    Entry victim = buckets[b];
                    while (victim.hashNext != null) {
                        victim = victim.hashNext;
                    }
                    remove(victim);
                    gone = withToken(victim, gone);
                    tcp.stats().inc(TcpStat.SC_BUCKETOVERFLOW);
                }
                while (count >= tcp.synCacheLimit.intValue() && oldest != null) {
                    Entry victim = oldest;
                    remove(victim);
                    gone = withToken(victim, gone);
                    tcp.stats().inc(TcpStat.SC_OVERFLOWED);
                }
                e = new Entry();
                e.laddr = laddr;
                e.lport = lport;
                e.faddr = faddr;
                e.fport = fport;
                e.irs = irs;
                e.iss = tcp.newIss(laddr, lport, faddr, fport);
                e.peerMss = peerMss;
                e.ourMss = ourMss;
                boolean rfc1323 = tcp.rfc1323.intValue() != 0;
                if (rfc1323 && wscale >= 0) {
                    e.sndScale = Math.min(wscale, TcpOption.MAX_WINDOW_SCALE);
                    e.rcvScale = scaleFor(Math.max(rcvBuf, tcp.autosize.largestReceiveBuffer(ltp.so.rcv)));
                }
                e.ts = rfc1323 && ts;
                e.tsRecent = tsVal;
                e.tsOffset = tcp.tsOffset(laddr, lport, faddr, fport);
                e.sack = sackOk && tcp.sackEnable.intValue() != 0;
                e.rcvBuf = rcvBuf;
                e.synAckNanos = tcp.now();
                e.hook = token == null ? null : hook;
                e.token = token;
                token = null;
                e.bucket = b;
                e.hashNext = buckets[b];
                buckets[b] = e;
                bucketLen[b]++;
                e.older = newest;
                if (newest != null) {
                    newest.newer = e;
                } else {
                    oldest = e;
                }
                newest = e;
                count++;
                e.listener = ltp;
                ltp.synPending++;
                tcp.stats().inc(TcpStat.SC_ADDED);
            }
            e.nextRexmt = tcp.now() + (Tcp.SEC << e.rexmits);
            if (!timer.pending()) {
                timer.scheduleNanos(Tcp.SEC / 5);
            }
        }
        if (token != null) {
            hook.synDropped(token, io.jrump.hypercall.Errno.ECONNABORTED);
        }
        reportDropped(gone, io.jrump.hypercall.Errno.ECONNABORTED);
        sendSynAck(e);
    }

    /**
     * Puts {@code e} on the list {@code gone} (linked through {@code hashNext}, free once removed) if a
     * kernel client holds a token for it, to report after the monitor is released.
     */
    private static Entry withToken(Entry e, Entry gone) {
        if (e.token == null) {
            return gone;
        }
        e.hashNext = gone;
        return e;
    }

    /** Tells the kernel clients of every entry on {@code gone} that it went without completing. */
    private static void reportDropped(Entry gone, int errno) {
        while (gone != null) {
            Entry next = gone.hashNext;
            gone.hashNext = null;
            Object token = gone.token;
            gone.token = null;
            gone.hook.synDropped(token, errno);
            gone = next;
        }
    }

    /** The smallest window scale that lets {@code buf} bytes be advertised (RFC 7323 section 2.3). */
    static int scaleFor(int buf) {
        int s = 0;
        while (s < TcpOption.MAX_WINDOW_SCALE && (65535L << s) < buf) {
            s++;
        }
        return s;
    }

    private void sendSynAck(Entry e) {
        byte[] b;
        int n;
        synchronized (this) {
            b = opts;
            n = 0;
            n = TcpOption.writeMss(b, n, e.ourMss);
            if (e.sack && e.ts) {
                n = TcpOption.writeSackPermitted(b, n);
            } else if (e.sack) {
                n = TcpOption.writeNop(b, n);
                n = TcpOption.writeNop(b, n);
                n = TcpOption.writeSackPermitted(b, n);
            } else if (e.ts) {
                n = TcpOption.writeNop(b, n);
                n = TcpOption.writeNop(b, n);
            }
            if (e.ts) {
                n = TcpOption.writeTimestamps(b, n, tcp.tsNow() + e.tsOffset, e.tsRecent);
            }
            if (e.sndScale >= 0) {
                n = TcpOption.writeNop(b, n);
                n = TcpOption.writeWindowScale(b, n, e.rcvScale);
            }
            int win = Math.min(e.rcvBuf, 65535);
            tcp.transmit().respond(e.laddr, e.lport, e.faddr, e.fport, e.iss, e.irs + 1, TcpFlags.SYN | TcpFlags.ACK,
                    win, b, n);
        }
    }

    synchronized void remove(Entry e) {
        if (e == null || e.bucket < 0) {
            return;
        }
        Entry prev = null;
        for (Entry x = buckets[e.bucket]; x != null; prev = x, x = x.hashNext) {
            if (x == e) {
                if (prev == null) {
                    buckets[e.bucket] = x.hashNext;
                } else {
                    prev.hashNext = x.hashNext;
                }
                break;
            }
        }
        bucketLen[e.bucket]--;
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.bucket = -1;
        e.hashNext = e.older = e.newer = null;
        count--;
        if (e.listener != null) {
            e.listener.synPending--;
            e.listener = null;
        }
    }

    /**
     * A RST for an embryonic connection: accepted only if its sequence number is exactly the next one
     * expected (RFC 5961 section 3.2), which an off-path attacker cannot guess.
     */
    void reset(int laddr, int lport, int faddr, int fport, int seq) {
        Entry gone = null;
        synchronized (this) {
            Entry e = lookup(laddr, lport, faddr, fport);
            if (e != null && seq == e.irs + 1) {
                remove(e);
                gone = withToken(e, null);
                tcp.stats().inc(TcpStat.SC_RESET);
            }
        }
        reportDropped(gone, io.jrump.hypercall.Errno.ECONNRESET);
    }

    /** Retransmits due SYN,ACKs and drops entries that used up their retransmissions. */
    private void tick() {
        long now = tcp.now();
        java.util.List<Entry> resend = null;
        Entry gone = null;
        synchronized (this) {
            for (Entry e = oldest; e != null; ) {
                Entry next = e.newer;
                if (now - e.nextRexmt >= 0) {
                    if (e.rexmits >= MAX_REXMT) {
                        remove(e);
                        gone = withToken(e, gone);
                        tcp.stats().inc(TcpStat.SC_TIMED_OUT);
                    } else {
                        e.rexmits++;
                        e.nextRexmt = now + (Tcp.SEC << e.rexmits);
                        tcp.stats().inc(TcpStat.SC_RETRANSMITTED);
                        if (resend == null) {
                            resend = new java.util.ArrayList<>();
                        }
                        resend.add(e);
                    }
                }
                e = next;
            }
            if (count > 0) {
                timer.scheduleNanos(Tcp.SEC / 5);
            }
        }
        reportDropped(gone, io.jrump.hypercall.Errno.ETIMEDOUT);
        if (resend != null) {
            for (Entry e : resend) {
                sendSynAck(e);
            }
        }
    }

    void clear() {
        Entry gone = null;
        synchronized (this) {
            timer.stop();
            while (oldest != null) {
                Entry e = oldest;
                remove(e);
                gone = withToken(e, gone);
            }
        }
        reportDropped(gone, io.jrump.hypercall.Errno.ECONNABORTED);
    }
}
