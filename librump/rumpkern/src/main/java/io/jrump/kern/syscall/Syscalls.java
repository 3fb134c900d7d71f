package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.SysctlEntry;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The system call interface of a rump kernel, as one process sees it. Local callers get it from
 * {@link Kernel#syscalls()} or {@link Proc#syscalls()}; a remote client gets the same interface from
 * the client library, so a program runs unchanged in-process or through {@code RUMP_SERVER}. Every
 * failure is an {@link ErrnoException} with a NetBSD errno. Later components (sockets, files) add
 * their calls; a call whose component is not linked fails with ENOSYS.
 */
public interface Syscalls {
    /** {@code fcntl} commands. */
    int F_GETFD = 1;
    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    /** {@code reboot(2)} flags. */
    int RB_AUTOBOOT = 0;
    int RB_HALT = 0x0008;
    int RB_POWERDOWN = 0x0800 | RB_HALT;

    int getpid() throws ErrnoException;

    int getppid() throws ErrnoException;

    int getuid() throws ErrnoException;

    int geteuid() throws ErrnoException;

    int getgid() throws ErrnoException;

    int getegid() throws ErrnoException;

    int read(int fd, ByteBuffer dst) throws ErrnoException;

    int write(int fd, ByteBuffer src) throws ErrnoException;

    void close(int fd) throws ErrnoException;

    int dup(int fd) throws ErrnoException;

    int dup2(int from, int to) throws ErrnoException;

    /** {@code ioctl(2)}; {@code arg} is the command's argument object, read and updated in place. */
    long ioctl(int fd, long cmd, Object arg) throws ErrnoException;

    int fcntl(int fd, int cmd, int arg) throws ErrnoException;

    /** {@code poll(2)}: timeout in milliseconds, negative for none; returns the number of ready entries. */
    int poll(PollFd[] fds, int timeoutMs) throws ErrnoException;

    /** {@code sysctl(3)} read of one leaf, as text. */
    String sysctlRead(String name) throws ErrnoException;

    /** {@code sysctl -w}: returns the old value. */
    String sysctlWrite(String name, String value) throws ErrnoException;

    /** {@code sysctl -a} under a prefix (empty for everything). */
    List<SysctlEntry> sysctlList(String prefix) throws ErrnoException;

    /** {@code modctl(MODCTL_LOAD)}: attaches a component to the running kernel. */
    void modload(String name) throws ErrnoException;

    /** {@code modctl(MODCTL_UNLOAD)}. */
    void modunload(String name) throws ErrnoException;

    /** {@code modctl(MODCTL_STAT)}. */
    List<ModStat> modstat() throws ErrnoException;

    /** {@code reboot(2)}: halts the kernel once the call has returned. */
    void reboot(int howto) throws ErrnoException;

    /** {@code socket(2)}: EAFNOSUPPORT or EPROTONOSUPPORT when no linked component provides it. */
    int socket(int domain, int type, int protocol) throws ErrnoException;

    void bind(int fd, SockAddr addr) throws ErrnoException;

    /** {@code connect(2)}; on a non-blocking socket a connection in progress is EINPROGRESS. */
    void connect(int fd, SockAddr addr) throws ErrnoException;

    void listen(int fd, int backlog) throws ErrnoException;

    /** {@code accept(2)}: the new descriptor; the peer's address into {@code from} if not null. */
    int accept(int fd, SockAddr from) throws ErrnoException;

    /**
     * {@code sendto(2)} (and {@code sendmsg(2)} without control data): {@code to} may be null on a
     * connected socket; {@code flags} are {@code MSG_*}.
     */
    int sendto(int fd, ByteBuffer src, int flags, SockAddr to) throws ErrnoException;

    /**
     * {@code recvfrom(2)} (and {@code recvmsg(2)} without control data): fills {@code from} if not
     * null; returns the bytes received, 0 at end of stream.
     */
    int recvfrom(int fd, ByteBuffer dst, int flags, SockAddr from) throws ErrnoException;

    void shutdown(int fd, int how) throws ErrnoException;

    /** {@code setsockopt(2)} with an int value (SO_LINGER: seconds, negative for off; timeouts in ms). */
    void setsockopt(int fd, int level, int name, int value) throws ErrnoException;

    int getsockopt(int fd, int level, int name) throws ErrnoException;

    void getsockname(int fd, SockAddr out) throws ErrnoException;

    void getpeername(int fd, SockAddr out) throws ErrnoException;

    /**
     * The numbered entry point behind every method above: a call by number with arguments by value.
     * The remote server uses it; so can a caller that wants a syscall this interface does not name.
     */
    long syscall(int number, SyscallArgs args) throws ErrnoException;
}
