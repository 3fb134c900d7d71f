package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.HandshakeFrame;
import io.jrump.kern.syscall.sp.Inbound;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.SyscallFrame;
import io.jrump.kern.syscall.sp.WireWriter;
import static io.jrump.kern.syscall.SyscallNumbers.*;

import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.net.IfReq;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/** Well-formed client streams and server replies, the starting points that fuzzing and mutation tests corrupt. */
final class FuzzStreams {
    private FuzzStreams() {
    }

    private static void add(ByteArrayOutputStream out, WireWriter w) {
        ByteBuffer b = w.finish();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        out.writeBytes(a);
    }

    private static void call(ByteArrayOutputStream out, WireWriter w, int reqno, int sysno, long[] i, Object[] o,
                             int[] modes) throws ProtocolException {
        SyscallFrame.write(w, reqno, sysno, i, o, modes, ArgCodecs.standard());
        add(out, w);
    }

    /** Client streams: a handshake followed by calls with every kind of argument. */
    static List<byte[]> clientStreams() throws ProtocolException {
        WireWriter w = new WireWriter();
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        HandshakeFrame.write(w, 1, Protocol.HS_NEW, "fuzz", null);
        add(a, w);
        call(a, w, 2, SYS_getpid, new long[6], new Object[6], new int[6]);

        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(a.toByteArray());
        call(b, w, 3, SYS_sendto, new long[] {3, 0, 0x80, 0, 0, 0},
                new Object[] {null, ByteBuffer.wrap("payload".getBytes()), null, SockAddr.in("127.0.0.1", 9), null, null},
                new int[] {0, SyscallFrame.MODE_BUF_IN, 0, SyscallFrame.MODE_IN, 0, 0});
        call(b, w, 4, SYS_recvfrom, new long[] {3, 0, 0, 0, 0, 0},
                new Object[] {null, ByteBuffer.allocate(32), null, new SockAddr(), null, null},
                new int[] {0, SyscallFrame.MODE_BUF_OUT, 0, SyscallFrame.MODE_INOUT, 0, 0});

        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.writeBytes(a.toByteArray());
        IfReq ifr = new IfReq("lo0");
        ifr.linkstr = "/tmp/bus";
        call(c, w, 5, SYS_ioctl, new long[] {3, 0xc0206911L, 0, 0, 0, 0}, new Object[] {null, null, ifr, null, null, null},
                new int[] {0, 0, SyscallFrame.MODE_INOUT, 0, 0, 0});
        call(c, w, 6, SYS_poll, new long[] {0, 100, 0, 0, 0, 0},
                new Object[] {new PollFd[] {new PollFd(3, 1), new PollFd(4, 4)}, null, null, null, null, null},
                new int[] {SyscallFrame.MODE_INOUT, 0, 0, 0, 0, 0});
        call(c, w, 7, SYS___sysctl, new long[] {2, 0, 0, 0, 0, 0}, new Object[] {null, "kern", null, null, null, null},
                new int[6]);
        call(c, w, 8, SYS_ioctl, new long[] {3, 0x4004667fL, 0, 0, 0, 0},
                new Object[] {null, null, new int[1], null, null, null}, new int[] {0, 0, SyscallFrame.MODE_INOUT, 0, 0, 0});

        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.writeBytes(a.toByteArray());
        w.begin(Protocol.T_PREFORK, 9);
        add(d, w);
        HandshakeFrame.write(w, 10, Protocol.HS_EXEC, "exec'd", null);
        add(d, w);
        HandshakeFrame.write(w, 11, Protocol.HS_FORK, "child", new byte[Protocol.COOKIE_LEN]);
        add(d, w);
        return List.of(a.toByteArray(), b.toByteArray(), c.toByteArray(), d.toByteArray());
    }

    /** Server replies: results, returned slots of every kind, errors. */
    static List<byte[]> replyStreams() throws ProtocolException {
        WireWriter w = new WireWriter();
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ReplyFrame.writeOk(w, 1, 5, null, ArgCodecs.core());
        add(a, w);
        ReplyFrame.writeError(w, 2, 35, "would block");
        add(a, w);
        ReplyFrame.writeOk(w, 3, 0, List.of(new io.jrump.kern.module.ModStat("m", "NET", "builtin", 0, List.of("x"), "d")),
                ArgCodecs.core());
        add(a, w);
        Inbound in = new Inbound();
        in.reqno = 4;
        in.args.o[1] = ByteBuffer.wrap("data".getBytes()).position(4);
        in.back[1] = Inbound.BACK_BUF_OUT;
        in.args.o[3] = SockAddr.in("10.1.2.3", 80);
        in.back[3] = Inbound.BACK_VALUE;
        ReplyFrame.writeOk(w, in, 4, ArgCodecs.core());
        add(a, w);
        return List.of(a.toByteArray());
    }
}
