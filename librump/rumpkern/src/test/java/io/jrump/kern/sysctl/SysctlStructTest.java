package io.jrump.kern.sysctl;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binary read of {@code sysctl(3)} ({@code Syscalls.sysctlGet}): a table of fixed-size records is
 * sized by a call without a buffer and read whole by a second, ENOMEM when the buffer is too small, in
 * elements of the reader's size; a value comes as NetBSD lays it out; text reads go on as before.
 */
class SysctlStructTest {
    private Kernel k;
    private final List<Integer> rows = new ArrayList<>();

    /** A 12-byte record: a number, its square, and a marker. */
    private static final class Row implements SysctlRecord {
        int n;

        @Override
        public int size() {
            return 12;
        }

        @Override
        public void write(ByteBuffer b, int at) {
            b.putInt(at, n).putInt(at + 4, n * n).putInt(at + 8, 0x5a5a5a5a);
        }

        @Override
        public void text(StringBuilder sb) {
            sb.append(n).append(' ').append(n * n);
        }
    }

    @BeforeEach
    void boot() throws Exception {
        k = Kernels.boot();
        k.sysctl().createStruct("test.squares", "numbers and their squares", 12, out -> {
            Row r = new Row();
            for (int n : rows) {
                r.n = n;
                out.add(r);
            }
        });
    }

    @AfterEach
    void halt() {
        k.halt();
    }

    private static int errno(ThrowingCall c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }

    private interface ThrowingCall {
        void run() throws ErrnoException;
    }

    @Test
    void aTableIsSizedThenReadWholeInOneCall() throws Exception {
        Syscalls s = k.syscalls();
        for (int i = 0; i < 1000; i++) {
            rows.add(i);
        }
        long need = s.sysctlGet("test.squares", 0, null);
        assertTrue(need >= 1000 * 12 && need % 12 == 0, "room for every record and some to spare: " + need);
        ByteBuffer b = ByteBuffer.allocate((int) need);
        assertEquals(1000 * 12, s.sysctlGet("test.squares", 0, b));
        assertEquals(1000 * 12, b.position());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, b.getInt(i * 12));
            assertEquals(i * i, b.getInt(i * 12 + 4));
        }
        assertEquals("0 0\n1 1\n2 4\n", s.sysctlRead("test.squares").substring(0, 12), "a text read, one line each");
    }

    @Test
    void aBufferTooSmallIsEnomemAndTheSizeQueryLeavesRoomToGrow() throws Exception {
        Syscalls s = k.syscalls();
        for (int i = 0; i < 100; i++) {
            rows.add(i);
        }
        long need = s.sysctlGet("test.squares", 0, null);
        assertEquals(Errno.ENOMEM, errno(() -> s.sysctlGet("test.squares", 0, ByteBuffer.allocate(99 * 12))));
        for (int i = 100; i < 105; i++) {
            rows.add(i);
        }
        assertEquals(105 * 12, s.sysctlGet("test.squares", 0, ByteBuffer.allocate((int) need)),
                "a table that grew a little since the size query still fits");
        rows.clear();
        assertTrue(s.sysctlGet("test.squares", 0, null) > 0, "an empty table still asks for a little room");
        assertEquals(0, s.sysctlGet("test.squares", 0, ByteBuffer.allocate(12)));
    }

    @Test
    void elementsOfTheReadersSizeCutOrPadTheRecords() throws Exception {
        Syscalls s = k.syscalls();
        rows.add(3);
        rows.add(4);
        ByteBuffer shorter = ByteBuffer.allocate(64);
        assertEquals(16, s.sysctlGet("test.squares", 8, shorter));
        assertEquals(List.of(3, 9, 4, 16), List.of(shorter.getInt(0), shorter.getInt(4), shorter.getInt(8),
                shorter.getInt(12)), "an older reader gets each record's first bytes");
        ByteBuffer longer = ByteBuffer.allocate(64);
        for (int i = 0; i < 64; i++) {
            longer.put(i, (byte) 0xff);
        }
        assertEquals(32, s.sysctlGet("test.squares", 16, longer));
        assertEquals(0x5a5a5a5a, longer.getInt(8));
        assertEquals(0, longer.getInt(12), "a newer reader's extra bytes are zero");
        assertEquals(4, longer.getInt(16));
        assertEquals(Errno.EINVAL, errno(() -> s.sysctlGet("test.squares", -1, null)));
        assertEquals(Errno.EINVAL, errno(() -> s.sysctlGet("test.squares", Sysctl.MAX_ELEM_SIZE + 1, null)));
    }

    @Test
    void valuesComeAsNetbsdLaysThemOut() throws Exception {
        Syscalls s = k.syscalls();
        ByteBuffer hz = ByteBuffer.allocate(4);
        assertEquals(4, s.sysctlGet("kern.hz", 0, null));
        assertEquals(4, s.sysctlGet("kern.hz", 0, hz));
        assertEquals(Integer.parseInt(s.sysctlRead("kern.hz")), hz.getInt(0));
        ByteBuffer os = ByteBuffer.allocate(16);
        assertEquals(7, s.sysctlGet("kern.ostype", 0, os));
        assertEquals("NetBSD\0", new String(os.array(), 0, 7, StandardCharsets.UTF_8));
        assertEquals(Errno.ENOMEM, errno(() -> s.sysctlGet("kern.ostype", 0, ByteBuffer.allocate(3))));
        assertEquals(Errno.ENOENT, errno(() -> s.sysctlGet("kern.nonesuch", 0, null)));
        assertEquals(Errno.EISDIR, errno(() -> s.sysctlGet("kern", 0, null)));
        assertEquals(Errno.EFAULT, errno(() -> s.sysctlGet("kern.hz", 0, ByteBuffer.allocate(4).asReadOnlyBuffer())));
    }

    @Test
    void tablesStayOutOfTheListingAndCannotBeWritten() throws Exception {
        Syscalls s = k.syscalls();
        assertFalse(s.sysctlList("").stream().anyMatch(e -> e.name().equals("test.squares")));
        assertEquals(Errno.EPERM, errno(() -> s.sysctlWrite("test.squares", "1")));
        assertEquals(SysctlType.STRUCT, k.sysctl().lookup("test.squares").type());
    }
}
