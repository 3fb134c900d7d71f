package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FieldsCodec;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.Values;
import io.jrump.kern.syscall.sp.WireReader;
import io.jrump.kern.syscall.sp.WireWriter;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.module.ModStat;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.sysctl.SysctlType;
import io.jrump.net.IfReq;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value encoding and the named-field record codec. */
class CodecsTest {
    private final ArgCodecs codecs = ArgCodecs.standard();

    private Object roundTrip(Object v) throws ProtocolException {
        WireWriter w = new WireWriter();
        w.begin(Protocol.T_REPLY, 0);
        Values.write(w, v, codecs);
        ByteBuffer b = w.finish();
        WireReader r = new WireReader().reset(b, Protocol.FRAME_HEADER, b.limit());
        Object back = Values.read(r, codecs);
        r.expectEnd("value");
        return back;
    }

    @Test
    void builtins() throws Exception {
        assertNull(roundTrip(null));
        assertEquals(-5, roundTrip(-5));
        assertEquals(1L << 40, roundTrip(1L << 40));
        assertEquals(true, roundTrip(true));
        assertEquals("h\u00e9llo", roundTrip("h\u00e9llo"));
        assertArrayEquals(new byte[] {1, 2}, (byte[]) roundTrip(new byte[] {1, 2}));
        assertArrayEquals(new int[] {3, -4}, (int[]) roundTrip(new int[] {3, -4}));
        assertEquals(SockAddr.in("10.0.0.1", 80), roundTrip(SockAddr.in("10.0.0.1", 80)));
        PollFd p = new PollFd(4, 1);
        p.revents = 9;
        PollFd q = ((PollFd[]) roundTrip(new PollFd[] {p}))[0];
        assertEquals(4, q.fd);
        assertEquals(1, q.events);
        assertEquals(9, q.revents);
        assertEquals(List.of("a", List.of(1, 2L)), roundTrip(List.of("a", List.of(1, 2L))));
    }

    @Test
    void kernelRecords() throws Exception {
        SysctlEntry e = (SysctlEntry) roundTrip(new SysctlEntry("kern.hz", SysctlType.INT, "100", false, "ticks"));
        assertEquals("kern.hz", e.name());
        assertEquals(SysctlType.INT, e.type());
        ModStat m = new ModStat("rumpnet_net", "NET", "builtin", 1, List.of("rumpnet"), "interfaces");
        assertEquals(m, roundTrip(m));
    }

    @Test
    void ifreqIsKnownAndUpdatedInPlace() throws Exception {
        assertNotNull(codecs.forType(IfReq.class), "IfReq is on the test class path and registered by name");
        IfReq in = new IfReq("shmif0");
        in.linkstr = "/tmp/bus";
        in.mtu = 1500;
        IfReq out = (IfReq) roundTrip(in);
        assertEquals("shmif0", out.name);
        assertEquals("/tmp/bus", out.linkstr);
        assertEquals(1500, out.mtu);
        out.flags = 0x41;
        Values.update(out, in, codecs);
        assertEquals(0x41, in.flags);
        assertTrue(Values.mutable(in, codecs));
        assertFalse(Values.mutable(new SysctlEntry("a", SysctlType.INT, "1", false, ""), codecs));
    }

    @Test
    void fieldsTravelByName() throws Exception {
        WireWriter w = new WireWriter();
        w.begin(Protocol.T_REPLY, 0);
        w.u8(Protocol.V_RECORD).string("ifreq", 64);
        int at = w.reserveLength();
        w.u16(3);
        w.string("mtu", 64).u8(Protocol.V_INT).i32(9000);
        w.string("fromTheFuture", 64).u8(Protocol.V_STRING).string("ignored", 100);
        w.string("name", 64).u8(Protocol.V_STRING).string("virt0", 100);
        w.patchLength(at);
        ByteBuffer b = w.finish();
        IfReq r = (IfReq) Values.read(new WireReader().reset(b, Protocol.FRAME_HEADER, b.limit()), codecs);
        assertEquals(9000, r.mtu);
        assertEquals("virt0", r.name);
        assertNull(r.linkstr);
    }

    @Test
    void wrongFieldTypesAndDuplicatesAreRefused() {
        assertRefused(w -> w.string("mtu", 64).u8(Protocol.V_STRING).string("big", 10), "mtu is a int");
        assertRefused(w -> w.string("mtu", 64).u8(Protocol.V_NULL), "may not be null");
    }

    private interface Fields {
        void put(WireWriter w) throws ProtocolException;
    }

    private void assertRefused(Fields f, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            WireWriter w = new WireWriter();
            w.begin(Protocol.T_REPLY, 0);
            w.u8(Protocol.V_RECORD).string("ifreq", 64);
            int at = w.reserveLength();
            w.u16(1);
            f.put(w);
            w.patchLength(at);
            ByteBuffer b = w.finish();
            Values.read(new WireReader().reset(b, Protocol.FRAME_HEADER, b.limit()), codecs);
        });
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void unknownTypesAreRefusedBothWays() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> roundTrip(new Object()));
        assertTrue(e.getMessage().contains("no codec"), e.getMessage());
        assertThrows(ProtocolException.class, () -> roundTrip(List.of(new StringBuilder())));
    }

    @Test
    void nestingIsBounded() {
        Object v = "leaf";
        for (int k = 0; k < Protocol.MAX_DEPTH + 2; k++) {
            v = List.of(v);
        }
        Object deep = v;
        assertThrows(ProtocolException.class, () -> roundTrip(deep));
    }

    @Test
    void registryRefusesConflicts() {
        ArgCodecs c = ArgCodecs.core();
        assertThrows(IllegalStateException.class, () -> c.register(FieldsCodec.of(IfReq.class, "modstat")));
        assertThrows(IllegalArgumentException.class, () -> FieldsCodec.of(Hidden.class, "hidden"));
    }

    static final class Hidden {
        public int x;
    }
}
