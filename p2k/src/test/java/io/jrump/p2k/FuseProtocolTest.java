package io.jrump.p2k;

import static io.jrump.p2k.FuseAbi.*;
import static io.jrump.p2k.ServerHarness.concat;
import static io.jrump.p2k.ServerHarness.cstr;
import static io.jrump.p2k.ServerHarness.error;
import static io.jrump.p2k.ServerHarness.ints;
import static io.jrump.p2k.ServerHarness.le;
import static io.jrump.p2k.ServerHarness.longs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The FUSE protocol as the server answers it, request by request in Linux's byte layout
 * ({@code include/uapi/linux/fuse.h}), without {@code /dev/fuse}: INIT's negotiation, entries and
 * attributes, the kernel's errnos in Linux's numbering and the caller's credentials, and bad requests
 * (short, mislabelled, names without NUL or with a slash, unknown ids and handles, unknown opcodes)
 * answered with EINVAL, EBADF or ENOSYS while the server goes on.
 */
class FuseProtocolTest {
    ServerHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new ServerHarness();
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static byte[] initBody(int minor, int flags) {
        return ints(7, minor, 128 * 1024, flags);
    }

    @Test
    void init_negotiates_7_31_big_writes_and_1_mib_requests() {
        byte[] r = h.send(INIT, 0, initBody(38, 0xffffffff));
        ByteBuffer b = le(r);
        // fuse_out_header: len 16 + 64, error 0, the request's unique (1)
        assertArrayEquals(new byte[] {80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOf(r, 16));
        assertEquals(7, b.getInt(16));
        assertEquals(31, b.getInt(20));
        assertEquals(128 * 1024, b.getInt(24), "max_readahead: no more than the kernel offers");
        int flags = b.getInt(28);
        assertEquals(BIG_WRITES | MAX_PAGES | ATOMIC_O_TRUNC, flags & (BIG_WRITES | MAX_PAGES | ATOMIC_O_TRUNC));
        assertEquals(1 << 20, b.getInt(36), "max_write");
        assertEquals(256, b.getShort(44), "max_pages");
    }

    @Test
    void init_offers_only_what_the_kernel_offered() {
        ByteBuffer b = le(h.send(INIT, 0, initBody(26, BIG_WRITES)));
        assertEquals(26, b.getInt(20));
        assertEquals(BIG_WRITES, b.getInt(28));
    }

    @Test
    void mkdir_lookup_getattr_and_forget() {
        byte[] r = h.send(MKDIR, ROOT_ID, concat(ints(040755, 022), cstr("d")));
        assertEquals(0, error(r));
        assertEquals(16 + ENTRY_OUT, r.length);
        long id = le(r).getLong(16);
        assertNotEquals(ROOT_ID, id);
        assertEquals(040755, le(r).getInt(16 + 40 + 60), "mode in the entry's attributes");
        assertEquals(2, le(r).getInt(16 + 40 + 64), "nlink of a new directory");

        byte[] l = h.send(LOOKUP, ROOT_ID, cstr("d"));
        assertEquals(id, le(l).getLong(16), "the same vnode keeps its id");

        byte[] a = h.send(GETATTR, id, longs(0, 0));
        assertEquals(16 + ATTR_OUT, a.length);
        assertEquals(040755, le(a).getInt(16 + 16 + 60));

        assertNull(h.send(FORGET, id, longs(1)), "FORGET has no reply");
        assertEquals(0, error(h.send(GETATTR, id, longs(0, 0))), "one lookup is left");
        assertNull(h.send(FORGET, id, longs(1)));
        assertEquals(-22, error(h.send(GETATTR, id, longs(0, 0))), "a forgotten id is unknown: EINVAL");
    }

    @Test
    void a_missing_name_is_a_negative_entry() {
        byte[] r = h.send(LOOKUP, ROOT_ID, cstr("nothing"));
        assertEquals(0, error(r));
        assertEquals(0, le(r).getLong(16), "node id 0: a negative entry Linux may cache");
        assertEquals(1, le(r).getLong(32), "for the entry timeout");
    }

    @Test
    void create_write_read_and_release() {
        byte[] c = h.send(CREATE, ROOT_ID, concat(ints(0x42 /* O_RDWR|O_CREAT */, 0100644, 022, 0), cstr("f")));
        assertEquals(0, error(c));
        long fh = le(c).getLong(16 + ENTRY_OUT);
        byte[] data = "hello, kernel".getBytes();
        byte[] w = h.send(WRITE, le(c).getLong(16), concat(concat(longs(fh, 5), ints(data.length, 0)),
                concat(longs(0), concat(ints(0, 0), data))));
        assertEquals(0, error(w));
        assertEquals(data.length, le(w).getInt(16));
        byte[] rd = h.send(READ, le(c).getLong(16), concat(longs(fh, 0), concat(ints(100, 0), concat(longs(0), ints(0, 0)))));
        assertEquals(16 + 5 + data.length, rd.length);
        assertArrayEquals(concat(new byte[5], data), Arrays.copyOfRange(rd, 16, rd.length), "a hole, then the data");
        assertEquals(0, error(h.send(RELEASE, le(c).getLong(16), concat(longs(fh), concat(ints(0, 0), longs(0))))));
        assertEquals(-9, error(h.send(READ, 1, concat(longs(fh, 0), concat(ints(100, 0), concat(longs(0), ints(0, 0)))))),
                "a released handle: EBADF");
    }

    @Test
    void kernel_errnos_arrive_in_linux_numbering() {
        h.send(MKDIR, ROOT_ID, concat(ints(040755, 0), cstr("full")));
        long full = le(h.send(LOOKUP, ROOT_ID, cstr("full"))).getLong(16);
        h.send(MKDIR, full, concat(ints(040755, 0), cstr("sub")));
        assertEquals(-39, error(h.send(RMDIR, ROOT_ID, cstr("full"))), "ENOTEMPTY (NetBSD 66)");
        assertEquals(-21, error(h.send(UNLINK, ROOT_ID, cstr("full"))), "unlink of a directory: EISDIR");
        assertEquals(-17, error(h.send(MKDIR, ROOT_ID, concat(ints(040755, 0), cstr("full")))), "EEXIST");
        assertEquals(-2, error(h.send(RMDIR, ROOT_ID, cstr("none"))), "ENOENT");
        assertEquals(-36, error(h.send(MKDIR, ROOT_ID, concat(ints(040755, 0), cstr("n".repeat(300))))),
                "ENAMETOOLONG (NetBSD 63)");
        byte[] ren = h.send(RENAME, ROOT_ID, concat(longs(full), cstr("full", "x")));
        assertEquals(-22, error(ren), "a directory into itself: EINVAL");
    }

    @Test
    void requests_run_with_the_callers_credentials() {
        // root's 0755 directory: nobody may not create in it
        byte[] r = h.send(h.request(MKDIR, ROOT_ID, 65534, 65534, concat(ints(040755, 0), cstr("mine"))));
        assertEquals(-13, error(r), "EACCES");
        h.send(MKDIR, ROOT_ID, concat(ints(041777, 0), cstr("tmp")));
        long tmp = le(h.send(LOOKUP, ROOT_ID, cstr("tmp"))).getLong(16);
        byte[] ok = h.send(h.request(MKDIR, tmp, 65534, 65534, concat(ints(040700, 0), cstr("mine"))));
        assertEquals(0, error(ok));
        assertEquals(65534, le(ok).getInt(16 + 40 + 68), "owned by the caller");
        assertEquals(0, error(h.send(RMDIR, tmp, cstr("mine"))), "root may remove it");
    }

    @Test
    void bad_requests_get_einval_enosys_or_ebadf_and_the_server_goes_on() {
        byte[] lookup = h.request(LOOKUP, ROOT_ID, 0, 0, cstr("x"));
        assertNull(h.send(lookup, 20), "shorter than a header: nothing to answer");
        byte[] wrongLen = lookup.clone();
        wrongLen[0] = 99;
        assertEquals(-22, error(h.send(wrongLen)), "length field disagrees: EINVAL");
        assertEquals(-38, error(h.send(99, ROOT_ID, new byte[8])), "unknown opcode: ENOSYS");
        assertEquals(-38, error(h.send(22 /* GETXATTR */, ROOT_ID, new byte[16])), "xattrs: ENOSYS");
        assertEquals(-22, error(h.send(LOOKUP, ROOT_ID, "noterminator".getBytes())), "name without NUL: EINVAL");
        assertEquals(-22, error(h.send(LOOKUP, ROOT_ID, cstr("a/b"))), "a name with a slash: EINVAL");
        assertEquals(-22, error(h.send(LOOKUP, ROOT_ID, cstr(""))), "an empty name: EINVAL");
        assertEquals(-22, error(h.send(GETATTR, 777, longs(0, 0))), "unknown node id: EINVAL");
        assertEquals(-9, error(h.send(READ, ROOT_ID, concat(longs(99, 0), concat(ints(10, 0), concat(longs(0), ints(0, 0)))))),
                "unknown handle: EBADF");
        assertEquals(-22, error(h.send(SETATTR, ROOT_ID, ints(1))), "a setattr record cut short: EINVAL");
        byte[] c = h.send(CREATE, ROOT_ID, concat(ints(0x42, 0100644, 0, 0), cstr("f")));
        long fh = le(c).getLong(16 + ENTRY_OUT);
        byte[] w = h.send(WRITE, le(c).getLong(16), concat(concat(longs(fh, 0), ints(1 << 20, 0)),
                concat(longs(0), concat(ints(0, 0), new byte[10]))));
        assertEquals(-22, error(w), "a write claiming more bytes than it carries: EINVAL");
        assertEquals(0, error(h.send(GETATTR, ROOT_ID, longs(0, 0))), "and the server still answers");
    }

    @FuzzTest(maxDuration = "60s")
    void random_requests(byte[] data) {
        fuzz(data);
    }

    /** Random requests from a fixed seed, so that every build explores beyond the stored inputs. */
    @Test
    void seeded_random_requests() {
        SplittableRandom r = new SplittableRandom(20261207);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[r.nextInt(1, 300)];
            r.nextBytes(b);
            fuzz(b);
        }
    }

    /** Byte 0 picks the opcode, byte 1 the node id (small, so that some are known), the rest is the body. */
    private void fuzz(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int opcode = data[0] & 0x3f;
        if (opcode == DESTROY) {
            return;
        }
        long node = data[1] & 0x7;
        byte[] body = Arrays.copyOfRange(data, 2, data.length);
        byte[] r = h.send(opcode, node, body);
        if (r != null) {
            assertTrue(r.length >= 16);
            assertEquals(r.length, le(r).getInt(0), "the reply's length field");
            assertTrue(error(r) <= 0 && error(r) > -4096, "an errno or success");
        }
        assertNotNull(h.send(GETATTR, ROOT_ID, longs(0, 0)), "the server still answers");
    }
}
