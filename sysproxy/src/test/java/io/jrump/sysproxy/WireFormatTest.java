package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.HandshakeFrame;
import io.jrump.kern.syscall.sp.Inbound;
import io.jrump.kern.syscall.sp.InboundDecoder;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.SyscallFrame;
import io.jrump.kern.syscall.sp.WireWriter;
import static io.jrump.kern.syscall.SyscallNumbers.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.io.ByteArrayInputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden bytes of each frame kind as PROTOCOL.md draws them, and every truncation of them refused. */
class WireFormatTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    @Test
    void banner() {
        assertEquals("RUMPSP-JRUMP-3\n", new String(Protocol.banner()));
    }

    @Test
    void getpidRequest() throws Exception {
        WireWriter w = new WireWriter();
        SyscallFrame.write(w, 0x41, SYS_getpid, new long[6], new Object[6], new int[6], ArgCodecs.core());
        assertEquals("00000009" + "02" + "00000041" + "0014" + "00" + "00", HEX.formatHex(bytes(w.finish())));
    }

    @Test
    void sendtoRequest() throws Exception {
        WireWriter w = new WireWriter();
        long[] i = {3, 0, 0x80, 0, 0, 0};
        Object[] o = {null, ByteBuffer.wrap(new byte[] {'h', 'i'}), null, SockAddr.in("127.0.0.1", 7), null, null};
        int[] modes = {0, SyscallFrame.MODE_BUF_IN, 0, SyscallFrame.MODE_IN, 0, 0};
        SyscallFrame.write(w, 7, SYS_sendto, i, o, modes, ArgCodecs.core());
        String expect = "02" + "00000007" + "0085"
                + "03" + "0000000000000003" + "0000000000000000" + "0000000000000080"
                + "04" + "00" + "8b" + "00000002" + "6869" + "00" + "07" + "00000002" + "7f000001" + "00000007";
        assertEquals(String.format("%08x", expect.length() / 2) + expect, HEX.formatHex(bytes(w.finish())));
    }

    /** An iovec: count, each length, then (for one the kernel reads) the bytes in order, empty buffers included. */
    @Test
    void iovecs() throws Exception {
        WireWriter w = new WireWriter();
        ByteBuffer a = ByteBuffer.wrap(new byte[] {9, 1, 2});
        a.position(1);
        Object[] o = {null, new ByteBuffer[] {a, ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {3})}, null, null, null, null};
        int[] modes = {0, SyscallFrame.MODE_BUFS_IN, 0, 0, 0, 0};
        SyscallFrame.write(w, 5, 121, new long[] {4, 0, 0, 0, 0, 0}, o, modes, ArgCodecs.core());
        String expect = "02" + "00000005" + "0079" + "01" + "0000000000000004" + "02" + "00"
                + "8d" + "00000003" + "00000002" + "00000000" + "00000001" + "010203";
        assertEquals(String.format("%08x", expect.length() / 2) + expect, HEX.formatHex(bytes(w.finish())));
        o[1] = new ByteBuffer[] {ByteBuffer.allocate(2), ByteBuffer.allocate(7)};
        modes[1] = SyscallFrame.MODE_BUFS_OUT;
        SyscallFrame.write(w, 6, 120, new long[] {4, 0, 0, 0, 0, 0}, o, modes, ArgCodecs.core());
        expect = "02" + "00000006" + "0078" + "01" + "0000000000000004" + "02" + "00"
                + "8e" + "00000002" + "00000002" + "00000007";
        assertEquals(String.format("%08x", expect.length() / 2) + expect, HEX.formatHex(bytes(w.finish())));
    }

    @Test
    void handshake() throws Exception {
        WireWriter w = new WireWriter();
        HandshakeFrame.write(w, 1, Protocol.HS_NEW, "ls", null);
        assertEquals("0000000e" + "01" + "00000001" + "0003" + "00" + "00000002" + "6c73", HEX.formatHex(bytes(w.finish())));
    }

    @Test
    void replies() throws Exception {
        WireWriter w = new WireWriter();
        ReplyFrame.writeOk(w, 0x41, 5, null, ArgCodecs.core());
        assertEquals("00000010" + "04" + "00000041" + "00" + "0000000000000005" + "00" + "00",
                HEX.formatHex(bytes(w.finish())));
        ReplyFrame.writeError(w, 9, 78, "no");
        assertEquals("00000010" + "04" + "00000009" + "01" + "0000004e" + "00000002" + "6e6f",
                HEX.formatHex(bytes(w.finish())));
    }

    @Test
    void requestDecodesBackIntoArguments() throws Exception {
        WireWriter w = new WireWriter();
        long[] i = {3, 0, 0x80, 0, 0, 0};
        Object[] o = {null, ByteBuffer.wrap(new byte[] {'h', 'i'}), null, SockAddr.in("127.0.0.1", 7), null, null};
        int[] modes = {0, SyscallFrame.MODE_BUF_IN, 0, SyscallFrame.MODE_INOUT, 0, 0};
        SyscallFrame.write(w, 7, SYS_sendto, i, o, modes, ArgCodecs.core());
        byte[] frame = bytes(w.finish());
        Inbound in = new Inbound();
        InboundDecoder d = new InboundDecoder(FrameReader.requests(Channels.newChannel(new ByteArrayInputStream(frame))),
                ArgCodecs.core());
        assertEquals(Protocol.T_SYSCALL, d.next(in));
        assertEquals(7, in.reqno);
        assertEquals(SYS_sendto, in.sysno);
        assertArrayEquals(i, in.args.i);
        ByteBuffer b = (ByteBuffer) in.args.o[1];
        assertEquals(2, b.remaining());
        assertEquals('h', b.get(0));
        assertEquals(SockAddr.in("127.0.0.1", 7), in.args.o[3]);
        assertEquals(Inbound.BACK_BUF_IN, in.back[1]);
        assertEquals(Inbound.BACK_VALUE, in.back[3]);
        assertEquals(-1, d.next(in));

        for (int cut = 1; cut < frame.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(frame, cut);
            InboundDecoder dd = new InboundDecoder(FrameReader.requests(Channels.newChannel(new ByteArrayInputStream(part))),
                    ArgCodecs.core());
            ProtocolException e = assertThrows(ProtocolException.class, () -> dd.next(new Inbound()), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void writerRefusesFramesOverTheLimit() {
        WireWriter w = new WireWriter(512, Protocol.MAX_REQUEST);
        w.begin(Protocol.T_SYSCALL, 1);
        ProtocolException e = assertThrows(ProtocolException.class, () -> w.bytes(new byte[Protocol.MAX_REQUEST]));
        assertEquals(io.jrump.hypercall.Errno.EMSGSIZE, e.errno());
    }

    /**
     * A buffer the kernel fills whole (sysctl's old buffer) goes as its size, which may pass the data
     * limit up to the table limit; the same size for a read's buffer is a protocol error.
     */
    @Test
    void wholeBufferSizeMayPassTheDataLimitOnlyWhereTheTableSaysSo() throws Exception {
        int big = Protocol.MAX_DATA * 8;
        WireWriter w = new WireWriter();
        long[] i = {Syscalls.SYSCTL_GET, 0, 80, 0, 0, 0};
        Object[] o = {null, "kern.sockets", null, ByteBuffer.allocate(big), null, null};
        int[] modes = {0, SyscallFrame.MODE_IN, 0, SyscallFrame.MODE_BUF_WHOLE, 0, 0};
        SyscallFrame.write(w, 3, SYS___sysctl, i, o, modes, ArgCodecs.core());
        byte[] frame = bytes(w.finish());
        String hex = HEX.formatHex(frame);
        assertTrue(hex.endsWith("8c" + String.format("%08x", big)), hex);
        Inbound in = new Inbound();
        assertEquals(Protocol.T_SYSCALL,
                new InboundDecoder(FrameReader.requests(Channels.newChannel(new ByteArrayInputStream(frame))),
                        ArgCodecs.core()).next(in));
        assertEquals(big, ((ByteBuffer) in.args.o[3]).remaining());

        w.begin(Protocol.T_SYSCALL, 4).u16(SYS_read).u8(1).i64(3).u8(2).u8(Protocol.V_NULL)
                .u8(Protocol.V_BUF_OUT | Protocol.F_BACK).i32(big);
        byte[] read = bytes(w.finish());
        ProtocolException e = assertThrows(ProtocolException.class, () -> new InboundDecoder(
                FrameReader.requests(Channels.newChannel(new ByteArrayInputStream(read))), ArgCodecs.core())
                .next(new Inbound()));
        assertTrue(e.getMessage().contains("exceeds the limit of " + Protocol.MAX_DATA), e.getMessage());
    }
}
