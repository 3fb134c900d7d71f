package io.jrump.tools;

import com.google.common.math.StatsAccumulator;
import com.google.common.primitives.Doubles;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpRepr;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Packet;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code rump.ping}, as NetBSD's ping(8): ICMP echo requests on a raw socket, one line per reply and
 * the summary with packet loss and round-trip times. Exit status 0 if any reply came, 2 if none.
 */
public final class Ping implements Tool {
    @Override
    public String name() {
        return "ping";
    }

    @Override
    public String usage() {
        return "usage: rump.ping [-c count] [-s size] [-i wait] [-W timeout] host";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        int count = 0;
        int size = 56;
        double interval = 1.0;
        double timeout = 10.0;
        String host = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> count = Args.number(Args.arg(args, ++i, "-c"), "count", 1, Integer.MAX_VALUE);
                case "-s" -> size = Args.number(Args.arg(args, ++i, "-s"), "size", 8, 65507);
                case "-i" -> interval = seconds(Args.arg(args, ++i, "-i"), "wait");
                case "-W" -> timeout = seconds(Args.arg(args, ++i, "-W"), "timeout");
                default -> {
                    if (args[i].startsWith("-") || host != null) {
                        throw new UsageException("unknown argument " + args[i]);
                    }
                    host = args[i];
                }
            }
        }
        if (host == null) {
            throw new UsageException("no host");
        }
        int dst = Args.addr(host);
        if (count == 0) {
            count = Integer.MAX_VALUE;
        }
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_RAW, SocketDefs.IPPROTO_ICMP);
        int ident = sys.getpid() & 0xffff;
        int sent = 0;
        int received = 0;
        StatsAccumulator rtt = new StatsAccumulator();
        out.printf("PING %s (%s): %d data bytes%n", host, SockAddr.format(dst), size);
        ByteBuffer in = ByteBuffer.allocate(65536);
        SockAddr from = new SockAddr();
        try {
            for (int seq = 0; seq < count; seq++) {
                IcmpRepr.Echo echo = IcmpRepr.Echo.request(ident, seq & 0xffff, size);
                byte[] pkt = new byte[echo.bufferLen()];
                long sentAt = System.nanoTime();
                if (size >= 8) {
                    ByteBuffer.wrap(pkt, IcmpPacket.HEADER_LEN, 8).putLong(sentAt);
                }
                for (int k = IcmpPacket.HEADER_LEN + 8; k < pkt.length; k++) {
                    pkt[k] = (byte) k;
                }
                echo.emit(new IcmpPacket().wrap(pkt, 0, pkt.length));
                try {
                    sys.sendto(s, ByteBuffer.wrap(pkt), 0, SockAddr.in(dst, 0));
                    sent++;
                } catch (ErrnoException e) {
                    err.println("rump.ping: sendto: " + Errno.message(e.errno()));
                    sent++;
                }
                boolean last = seq == count - 1;
                long deadline = System.nanoTime() + (long) ((last ? timeout : interval) * 1e9);
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, (int) Math.max(1, left / 1_000_000));
                    in.clear();
                    int n;
                    try {
                        n = sys.recvfrom(s, in, 0, from);
                    } catch (ErrnoException e) {
                        if (e.errno() == Errno.EAGAIN) {
                            break;
                        }
                        throw e;
                    }
                    Ipv4Packet ip = new Ipv4Packet().wrap(in.array(), 0, n);
                    if (!ip.checkHeader().isOk()) {
                        continue;
                    }
                    int hl = ip.headerLength();
                    IcmpPacket icmp = new IcmpPacket().wrap(in.array(), hl, n - hl);
                    if (n - hl < IcmpPacket.HEADER_LEN || icmp.type() != IcmpType.ECHO_REPLY
                            || icmp.echoIdentifier() != ident) {
                        continue;
                    }
                    double ms = n - hl >= IcmpPacket.HEADER_LEN + 8
                            ? (System.nanoTime() - ByteBuffer.wrap(in.array(), hl + IcmpPacket.HEADER_LEN, 8).getLong()) / 1e6
                            : 0;
                    received++;
                    rtt.add(ms);
                    out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n", n - hl, SockAddr.format(from.addr),
                            icmp.echoSequence(), ip.ttl(), ms);
                    if (icmp.echoSequence() == (seq & 0xffff) && !last) {
                        long rest = deadline - System.nanoTime();
                        if (rest > 0) {
                            sleepNanos(rest);
                        }
                        break;
                    }
                    if (last && received >= sent) {
                        break;
                    }
                }
            }
        } finally {
            sys.close(s);
        }
        out.printf("%n----%s PING Statistics----%n", host);
        out.printf("%d packets transmitted, %d packets received, %.1f%% packet loss%n", sent, received,
                sent == 0 ? 0.0 : 100.0 * (sent - received) / sent);
        if (received > 0) {
            out.printf("round-trip min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms%n", rtt.min(), rtt.mean(), rtt.max(),
                    rtt.populationStandardDeviation());
        }
        return received > 0 ? 0 : 2;
    }

    private static void sleepNanos(long n) {
        try {
            Thread.sleep(n / 1_000_000, (int) (n % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double seconds(String s, String what) throws UsageException {
        Double v = Doubles.tryParse(s);
        if (v == null) {
            throw new UsageException(what + " must be a number of seconds, not '" + s + "'");
        }
        if (!(v >= 0 && v <= 3600)) {
            throw new UsageException(what + " out of range: " + s);
        }
        return v;
    }
}
