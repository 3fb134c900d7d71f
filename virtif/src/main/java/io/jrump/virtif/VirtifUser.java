package io.jrump.virtif;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host side of {@code rumpnet_virtif}, as NetBSD's {@code virtif_user.c}: a Linux tap device
 * opened through {@code /dev/net/tun} with {@code IFF_TAP|IFF_NO_PI|IFF_VNET_HDR}, so that every read and
 * write is one Ethernet frame behind a {@link VirtioNetHdr} and without a packet-information header. It is
 * the only class in the tree that uses JNA (ARCHITECTURE.md sections 1 and 5).
 *
 * <p>The virtio header is always there, zero when nothing is offloaded; what Linux may hand over with work
 * left undone (partial checksums, 64 KB TCP segments) is set with {@link #setOffload}, Linux's
 * {@code TUNSETOFFLOAD}, which a tap accepts at any time. What the rump kernel writes with {@code NEEDS_CSUM}
 * or {@code GSO_TCPV4} Linux accepts whatever that setting, as it accepts it from a virtio guest.
 *
 * <p>Frames go out with {@code writev}: the caller names the segments of an mbuf chain one by one
 * ({@link #addSegment}) and {@link #sendFrame} hands them to the kernel as one iovec array, one element
 * per mbuf, so the chain is never flattened into one frame buffer first. The mbufs live in the Java
 * heap, which JNA cannot give to the kernel in place, so each segment is copied once into this tap's
 * native transmit area, at its own iovec slot; the virtio header is the first iovec.
 *
 * <p>The tap is non-blocking: the reader reads frames one after another while the tap has them and
 * only when it has none waits in {@code poll}, on the tap and on a wake-up pipe, so {@link #wakeReader}
 * can end a reader blocked in the host (closing a descriptor does not wake a thread blocked on it). Under
 * load that is one system call per frame instead of two. The native areas are reached through direct
 * {@link ByteBuffer} views, so copying a segment or filling an iovec is plain Java, not a JNI call.
 *
 * <p>Use: one reader thread calls {@link #awaitFrame}; senders call {@link #addSegment} and
 * {@link #sendFrame} under one lock (the transmit area is shared); {@link #close} once, after the
 * reader has ended.
 */
final class VirtifUser implements AutoCloseable {
    /** Linux's control device of the tun/tap driver. */
    static final String TUN_DEVICE = "/dev/net/tun";
    /**
     * Largest frame read or written: a 65535-byte IP datagram behind an Ethernet header, the most a 64 KB
     * segment handed over with {@code GSO_TCPV4} can be.
     */
    static final int MAX_FRAME = EtherLink.DEFAULT_MAX_FRAME;
    /** Area for one frame and its virtio header. */
    private static final int AREA = VirtioNetHdr.LEN + MAX_FRAME;
    /** Where a frame starts in {@link #receiveArea()}: behind its virtio header. */
    static final int FRAME_OFFSET = VirtioNetHdr.LEN;
    /** {@code TUN_F_CSUM}: Linux may hand over frames whose checksum is partial ({@code NEEDS_CSUM}). */
    static final int TUN_F_CSUM = 0x01;
    /** {@code TUN_F_TSO4}: ... and TCP/IPv4 segments larger than the MTU ({@code GSO_TCPV4}). */
    static final int TUN_F_TSO4 = 0x02;
    /** {@code TUN_F_TSO_ECN}: ... including segments with CWR set ({@code GSO_ECN}). */
    static final int TUN_F_TSO_ECN = 0x08;
    /** iovec elements per frame, the header's included; a longer chain's tail shares the last element. */
    static final int MAX_IOV = 64;
    /** {@code IFNAMSIZ - 1}. */
    static final int MAX_NAME = 15;

    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final long TUNSETIFF = 0x400454caL;
    /** {@code _IOW('T', 208, unsigned int)}: the argument is the flags themselves, not a pointer. */
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** {@code _IOW('T', 216, int)}. */
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int IFREQ_SIZE = 40;
    private static final int IOV_SIZE = 16;
    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;

    /** Linux errno values the tap reports (the kernel's {@link Errno} uses NetBSD's numbering). */
    private static final int L_EPERM = 1;
    private static final int L_ENOENT = 2;
    private static final int L_EINTR = 4;
    private static final int L_EIO = 5;
    private static final int L_ENXIO = 6;
    private static final int L_EAGAIN = 11;
    private static final int L_ENOMEM = 12;
    private static final int L_EACCES = 13;
    private static final int L_EBUSY = 16;
    private static final int L_ENODEV = 19;
    private static final int L_EINVAL = 22;
    private static final int L_ENFILE = 23;
    private static final int L_EMFILE = 24;
    private static final int L_EBADFD = 77;

    /** libc through JNA direct mapping: no reflection and no argument boxing per call. */
    private static final class Libc {
        static {
            Native.register("c");
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native long write(int fd, Pointer buf, long count) throws LastErrorException;

        static native long writev(int fd, Pointer iov, int iovcnt) throws LastErrorException;

        static native int poll(Pointer fds, long nfds, int timeout) throws LastErrorException;

        static native int pipe2(int[] fds, int flags) throws LastErrorException;
    }

    /**
     * {@code read} without an exception for its errno: a non-blocking tap reports EAGAIN every time the
     * reader catches up, and an exception (with its stack trace) per wait would cost more than the
     * frame. The errno is taken from {@link Native#getLastError()}, which JNA keeps after every call.
     */
    private static final class LibcRead {
        static {
            Native.register("c");
        }

        static native long read(int fd, Pointer buf, long count);
    }

    private final String name;
    private final int mtu;
    private final int fd;
    private final int wakeRead;
    private final int wakeWrite;
    private final Memory rx = new Memory(AREA);
    private final Memory tx = new Memory(AREA);
    private final Memory iov = new Memory((long) MAX_IOV * IOV_SIZE);
    private final Memory pollfds = new Memory(16);
    private final Memory one = new Memory(1);
    private final long txBase = Pointer.nativeValue(tx);
    private final ByteBuffer rxView = rx.getByteBuffer(0, AREA).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer rxArea = rxView.asReadOnlyBuffer();
    private final ByteBuffer txView = tx.getByteBuffer(0, AREA).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer iovView = iov.getByteBuffer(0, (long) MAX_IOV * IOV_SIZE).order(ByteOrder.nativeOrder());
    private int iovCount;
    private int txLen;
    private volatile boolean closed;
    private boolean released;

    private VirtifUser(String name, int mtu, int fd, int wakeRead, int wakeWrite) {
        this.name = name;
        this.mtu = mtu;
        this.fd = fd;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
        pollfds.clear();
        pollfds.setInt(0, fd);
        pollfds.setShort(4, POLLIN);
        pollfds.setInt(8, wakeRead);
        pollfds.setShort(12, POLLIN);
    }

    /** Opens (creating it if needed) tap {@code name} through {@link #TUN_DEVICE}. */
    static VirtifUser open(String name) {
        return open(TUN_DEVICE, name);
    }

    /**
     * Opens tap {@code name} through the tun control device at {@code tunPath}. The tap is created if
     * it does not exist and goes away when it is closed, unless it was made persistent on the host.
     *
     * @throws HyperError with a message that names the reason: ENOENT (no tun driver), EACCES or EPERM
     *     (no permission), EBUSY (another process has the tap), EINVAL (the name is taken by a device
     *     that is not a tap), ENODEV, ENFILE/EMFILE, EIO otherwise
     */
    static VirtifUser open(String tunPath, String name) {
        if (!validName(name)) {
            throw new HyperError(Errno.EINVAL, "'" + name + "' is not a Linux interface name (1 to " + MAX_NAME
                    + " characters, no '/', ':', '%' or white space)");
        }
        int fd;
        try {
            fd = Libc.open(tunPath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw openError(tunPath, e.getErrorCode());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new HyperError(Errno.ENXIO, "cannot load libc through JNA: " + e.getMessage());
        }
        try {
            Memory ifr = new Memory(IFREQ_SIZE);
            ifr.clear();
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.write(0, n, 0, n.length);
            ifr.setShort(16, (short) (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
            try {
                Libc.ioctl(fd, TUNSETIFF, ifr);
            } catch (LastErrorException e) {
                throw attachError(name, e.getErrorCode());
            }
            Memory sz = new Memory(4);
            sz.setInt(0, VirtioNetHdr.LEN);
            try {
                Libc.ioctl(fd, TUNSETVNETHDRSZ, sz);
                Libc.ioctl(fd, TUNSETOFFLOAD, Pointer.NULL);
            } catch (LastErrorException e) {
                throw new HyperError(hostErrno(e.getErrorCode()), "tap " + name
                        + ": cannot set the virtio header (host errno " + e.getErrorCode() + ")");
            }
            int[] p = new int[2];
            try {
                Libc.pipe2(p, O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new HyperError(hostErrno(e.getErrorCode()), "tap " + name + ": cannot make the reader's wake-up pipe");
            }
            return new VirtifUser(name, hostMtu(name), fd, p[0], p[1]);
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    static boolean validName(String n) {
        if (n == null || n.isEmpty() || n.length() > MAX_NAME || n.equals(".") || n.equals("..")) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == '%') {
                return false;
            }
        }
        return true;
    }

    /**
     * The tap's MTU as the host sees it now, from sysfs; 1500 (Linux's default for a new tap) if the
     * host does not say, as inside a container without sysfs.
     */
    private static int hostMtu(String name) {
        try {
            int m = Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "mtu")).trim());
            return m >= 68 && m <= 65535 ? m : 1500;
        } catch (IOException | NumberFormatException e) {
            return 1500;
        }
    }

    private static HyperError openError(String path, int err) {
        switch (err) {
            case L_ENOENT:
            case L_ENODEV:
            case L_ENXIO:
                return new HyperError(Errno.ENOENT, path + " does not exist: the host has no tun/tap driver");
            case L_EACCES:
            case L_EPERM:
                return new HyperError(Errno.EACCES, "no permission to open " + path
                        + " (needs root or CAP_NET_ADMIN, or read-write access to the device)");
            default:
                return new HyperError(hostErrno(err), "cannot open " + path + " (host errno " + err + ")");
        }
    }

    private static HyperError attachError(String name, int err) {
        switch (err) {
            case L_EPERM:
            case L_EACCES:
                return new HyperError(Errno.EPERM, "no permission to create or attach tap " + name
                        + " (needs CAP_NET_ADMIN, or a persistent tap owned by this user)");
            case L_EBUSY:
                return new HyperError(Errno.EBUSY, "tap " + name + " is in use by another process");
            case L_EINVAL:
                return new HyperError(Errno.EINVAL, "host interface " + name + " exists and is not a tap device");
            default:
                return new HyperError(hostErrno(err), "cannot attach tap " + name + " (host errno " + err + ")");
        }
    }

    private static int hostErrno(int err) {
        switch (err) {
            case L_ENOMEM:
                return Errno.ENOMEM;
            case L_ENFILE:
                return Errno.ENFILE;
            case L_EMFILE:
                return Errno.EMFILE;
            case L_EAGAIN:
                return Errno.EAGAIN;
            default:
                return Errno.EIO;
        }
    }

    String name() {
        return name;
    }

    /** The tap's MTU when it was opened. */
    int mtu() {
        return mtu;
    }

    /**
     * Sets what Linux may leave undone in the frames it hands over ({@code TUNSETOFFLOAD}): 0, or
     * {@link #TUN_F_CSUM} with {@link #TUN_F_TSO4} and {@link #TUN_F_TSO_ECN}. Returns 0 or the Linux errno.
     */
    int setOffload(int tunFlags) {
        try {
            Libc.ioctl(fd, TUNSETOFFLOAD, tunFlags == 0 ? Pointer.NULL : new Pointer(tunFlags));
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /**
     * Reads the next frame and returns its length; it and its virtio header are in the receive area
     * until the next call ({@link #copyFrame}, {@link #readHeader}). If the tap has no frame now, waits in
     * {@code poll} until it may have one and returns 0 (the caller calls again). A read shorter than the
     * virtio header returns 1, a runt the caller drops. Returns -1 once {@link #wakeReader} was called,
     * and throws HyperError EIO if the tap has gone (its host interface was deleted).
     */
    int awaitFrame() {
        return awaitFrame(true);
    }

    /** As {@link #awaitFrame()}; with {@code wait} false, returns 0 at once when the tap has no frame. */
    int awaitFrame(boolean wait) {
        if (closed) {
            return -1;
        }
        long n = LibcRead.read(fd, rx, AREA);
        if (n >= 0) {
            return n >= VirtioNetHdr.LEN ? (int) n - VirtioNetHdr.LEN : n > 0 ? 1 : 0;
        }
        int err = Native.getLastError();
        if (err == L_EINTR || err == L_EAGAIN && !wait) {
            return 0;
        }
        if (err != L_EAGAIN) {
            if (err == L_EBADFD || err == L_EIO) {
                throw new HyperError(Errno.EIO, "tap " + name + " has gone from the host");
            }
            throw new HyperError(Errno.EIO, "tap " + name + ": read failed (host errno " + err + ")");
        }
        try {
            Libc.poll(pollfds, 2, -1);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == L_EINTR) {
                return 0;
            }
            throw new HyperError(Errno.EIO, "tap " + name + ": poll failed (host errno " + e.getErrorCode() + ")");
        }
        if (closed || pollfds.getShort(14) != 0) {
            return -1;
        }
        short rev = pollfds.getShort(6);
        if ((rev & POLLIN) == 0 && (rev & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
            throw new HyperError(Errno.EIO, "tap " + name + " has gone from the host");
        }
        return 0;
    }

    /** The virtio header of the last frame read. */
    void readHeader(VirtioNetHdr h) {
        h.decode(rxView, 0);
    }

    /** Copies bytes {@code [from, from+len)} of the last frame read into {@code dst} at {@code off}. */
    void copyFrame(int from, byte[] dst, int off, int len) {
        rxView.get(VirtioNetHdr.LEN + from, dst, off, len);
    }

    /** Overwrites the first {@code len} bytes of the last frame read with {@code src[0..len)}. */
    void replaceFrameStart(byte[] src, int len) {
        rxView.put(VirtioNetHdr.LEN, src, 0, len);
    }

    /**
     * The receive area, read-only: the last frame read is at {@link #FRAME_OFFSET}, its length as
     * {@link #awaitFrame} returned it; valid until the next call.
     */
    ByteBuffer receiveArea() {
        return rxArea;
    }

    /** Starts a frame to send behind virtio header {@code h}: forgets any segments added before. */
    void beginFrame(VirtioNetHdr h) {
        h.encode(txView, 0);
        iovView.putLong(0, txBase);
        iovView.putLong(8, VirtioNetHdr.LEN);
        iovCount = 1;
        txLen = 0;
    }

    /**
     * Adds {@code b[off..off+len)} as the frame's next segment. Returns false, adding nothing, if the
     * frame would pass {@link #MAX_FRAME}.
     */
    boolean addSegment(byte[] b, int off, int len) {
        if (len == 0) {
            return true;
        }
        if (len > MAX_FRAME - txLen) {
            return false;
        }
        txView.put(VirtioNetHdr.LEN + txLen, b, off, len);
        if (iovCount < MAX_IOV) {
            int slot = iovCount * IOV_SIZE;
            iovView.putLong(slot, txBase + VirtioNetHdr.LEN + txLen);
            iovView.putLong(slot + 8, len);
            iovCount++;
        } else {
            int last = (MAX_IOV - 1) * IOV_SIZE;
            iovView.putLong(last + 8, iovView.getLong(last + 8) + len);
        }
        txLen += len;
        return true;
    }

    /**
     * Writes the header and segments given since {@link #beginFrame} as one frame with {@code writev}. Returns 0,
     * or the Linux errno (EIO when the host side of the tap is down, for example; EAGAIN, which a tap
     * hardly ever reports, drops the frame as a full output queue would).
     */
    int sendFrame() {
        try {
            long n = Libc.writev(fd, iov, iovCount);
            return n == VirtioNetHdr.LEN + txLen ? 0 : L_EIO;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    /** Wakes the reader blocked in {@link #awaitFrame}, which then returns -1, now and from then on. */
    void wakeReader() {
        closed = true;
        try {
            Libc.write(wakeWrite, one, 1);
        } catch (LastErrorException e) {
            // the pipe is full only if a wake-up is already pending
        }
    }

    /** Closes the tap (a non-persistent tap disappears from the host) and the wake-up pipe. */
    @Override
    public synchronized void close() {
        closed = true;
        if (released) {
            return;
        }
        released = true;
        closeQuietly(fd);
        closeQuietly(wakeRead);
        closeQuietly(wakeWrite);
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (LastErrorException e) {
            // nothing more to release
        }
    }
}
