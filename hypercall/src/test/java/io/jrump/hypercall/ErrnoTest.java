package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void netbsdNumbers() {
        assertEquals(1, Errno.EPERM);
        assertEquals(2, Errno.ENOENT);
        assertEquals(5, Errno.EIO);
        assertEquals(9, Errno.EBADF);
        assertEquals(12, Errno.ENOMEM);
        assertEquals(17, Errno.EEXIST);
        assertEquals(21, Errno.EISDIR);
        assertEquals(22, Errno.EINVAL);
        assertEquals(35, Errno.EAGAIN);
        assertEquals(Errno.EAGAIN, Errno.EWOULDBLOCK);
        assertEquals(36, Errno.EINPROGRESS);
        assertEquals(48, Errno.EADDRINUSE);
        assertEquals(54, Errno.ECONNRESET);
        assertEquals(55, Errno.ENOBUFS);
        assertEquals(57, Errno.ENOTCONN);
        assertEquals(60, Errno.ETIMEDOUT);
        assertEquals(61, Errno.ECONNREFUSED);
        assertEquals(65, Errno.EHOSTUNREACH);
        assertEquals(66, Errno.ENOTEMPTY);
        assertEquals(78, Errno.ENOSYS);
        assertEquals(84, Errno.EOVERFLOW);
        assertEquals(86, Errno.ENOTSUP);
        assertEquals(87, Errno.ECANCELED);
    }

    @Test
    void namesAndMessagesOfKnownNumbers() {
        assertEquals("ECONNREFUSED", Errno.name(61));
        assertEquals("Connection refused", Errno.message(61));
        assertEquals("EAGAIN", Errno.name(35));
        assertEquals("EAGAIN", Errno.name(Errno.EWOULDBLOCK));
        assertEquals("Resource temporarily unavailable", Errno.message(35));
        assertEquals("ENOENT", Errno.name(Errno.ENOENT));
        assertEquals("No such file or directory", Errno.message(Errno.ENOENT));
        assertEquals("ECANCELED", Errno.name(87));
        assertEquals("Operation canceled", Errno.message(87));
    }

    @Test
    void namesAndMessagesOfUnknownNumbers() {
        assertEquals("E15", Errno.name(15), "15 (ENOTBLK) is not defined here");
        assertEquals("Unknown error: 15", Errno.message(15));
        assertEquals("E999", Errno.name(999));
        assertEquals("Unknown error: 999", Errno.message(999));
        assertEquals("E0", Errno.name(0));
        assertEquals("E-4", Errno.name(-4));
        assertEquals("Unknown error: -4", Errno.message(-4));
    }

    @Test
    void hyperErrorCarriesTheNumberAndNamesIt() {
        HyperError e = new HyperError(Errno.ECONNREFUSED, "127.0.0.1:80");
        assertEquals(61, e.errno());
        assertEquals("ECONNREFUSED: 127.0.0.1:80", e.getMessage());
        assertEquals(0, e.getStackTrace().length, "no stack trace is captured");
    }
}
