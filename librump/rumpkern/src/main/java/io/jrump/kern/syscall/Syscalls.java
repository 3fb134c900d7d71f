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
 * The system call interface of a rump kernel, as one process sees it, and the syscall table itself.
 * Local callers get it from {@link Kernel#syscalls()} or {@link Proc#syscalls()}; a remote client gets
 * the same interface from the client library, so a program runs unchanged in-process or through
 * {@code RUMP_SERVER}. Every failure is an {@link ErrnoException} with a NetBSD errno; a call whose
 * component is not linked fails with ENOSYS.
 *
 * <p><b>The table.</b> Each method's {@link Syscall} annotation is one row of NetBSD's
 * {@code syscalls.master} (number, name, owning component), and its signature gives every argument's
 * slot, kind and direction ({@link Syscall.Out}, {@link Syscall.InOut}). This file is the only list of
 * syscalls, as gVisor keeps its table in Go source: the build's annotation processor
 * ({@code librump/makesyscalls}, NetBSD's {@code makesyscalls.sh}) derives at compile time what Java
 * cannot derive at run time, namely the {@link SyscallNumbers} constants and the {@link SyscallStubs},
 * one typed, allocation-free marshalling method per row, and the {@link SyscallRow} descriptors. At
 * run time follow the local dispatch ({@link ProcSyscalls}: the stubs bound to the kernel's
 * {@link SyscallTable}), the remote one (the client library's stubs bound to a sysproxy connection,
 * whose codec reads each argument's kind and direction from the row), the server's choice of calls it
 * runs without a thread hand-off ({@link Syscall#sleeps()}), and the boot report of rows no component
 * established. A component establishes its rows at attach with {@link SyscallTable#register}.
 *
 * <p>Adding a syscall is one annotated method here plus its handler in the component that owns it.
 * Pointer arguments map onto kinds the codec already moves: a path is a {@code String} (in), a buffer
 * a {@code ByteBuffer} (in, or {@link Syscall.Out} for one the kernel fills; its remaining bytes are
 * the length), a record the kernel fills (a stat) a mutable class with a registered codec marked
 * {@link Syscall.Out}. A row that takes another row's arguments and has no method of its own is a
 * {@link Syscall.Alias} on this interface.
 */
@Syscall.Alias(number = 27, name = "recvmsg", component = "rumpnet", argsOf = "recvfrom")
@Syscall.Alias(number = 28, name = "sendmsg", component = "rumpnet", argsOf = "sendto")
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
    /**
     * Operation codes of the multiplexed {@code __sysctl} and {@code modctl} rows (slot {@code i[0]}):
     * part of the syscall ABI, so a call made by number passes the same ones.
     */
    int SYSCTL_READ = 0;
    int SYSCTL_WRITE = 1;
    int SYSCTL_LIST = 2;
    int SYSCTL_GET = 3;
    int MODCTL_LOAD = 0;
    int MODCTL_UNLOAD = 1;
    int MODCTL_STAT = 2;

    @Syscall(number = 20, name = "getpid", component = "rumpkern", sleeps = false)
    int getpid() throws ErrnoException;

    @Syscall(number = 39, name = "getppid", component = "rumpkern", sleeps = false)
    int getppid() throws ErrnoException;

    @Syscall(number = 24, name = "getuid", component = "rumpkern", sleeps = false)
    int getuid() throws ErrnoException;

    @Syscall(number = 25, name = "geteuid", component = "rumpkern", sleeps = false)
    int geteuid() throws ErrnoException;

    @Syscall(number = 47, name = "getgid", component = "rumpkern", sleeps = false)
    int getgid() throws ErrnoException;

    @Syscall(number = 43, name = "getegid", component = "rumpkern", sleeps = false)
    int getegid() throws ErrnoException;

    @Syscall(number = 3, name = "read", component = "rumpkern")
    int read(int fd, @Syscall.Out ByteBuffer dst) throws ErrnoException;

    @Syscall(number = 4, name = "write", component = "rumpkern")
    int write(int fd, ByteBuffer src) throws ErrnoException;

    @Syscall(number = 6, name = "close", component = "rumpkern")
    void close(int fd) throws ErrnoException;

    @Syscall(number = 41, name = "dup", component = "rumpkern")
    int dup(int fd) throws ErrnoException;

    @Syscall(number = 90, name = "dup2", component = "rumpkern")
    int dup2(int from, int to) throws ErrnoException;

    /** {@code ioctl(2)}; {@code arg} is the command's argument object, read and updated in place. */
    @Syscall(number = 54, name = "ioctl", component = "rumpkern")
    long ioctl(int fd, long cmd, @Syscall.InOut Object arg) throws ErrnoException;

    @Syscall(number = 92, name = "fcntl", component = "rumpkern")
    int fcntl(int fd, int cmd, int arg) throws ErrnoException;

    /** {@code poll(2)}: timeout in milliseconds, negative for none; returns the number of ready entries. */
    @Syscall(number = 209, name = "poll", component = "rumpkern")
    int poll(@Syscall.InOut PollFd[] fds, int timeoutMs) throws ErrnoException;

    /** {@code sysctl(3)} read of one leaf, as text. */
    @Syscall(number = 202, name = "__sysctl", component = "rumpkern", op = SYSCTL_READ)
    String sysctlRead(String name) throws ErrnoException;

    /** {@code sysctl -w}: returns the old value. */
    @Syscall(number = 202, name = "__sysctl", component = "rumpkern", op = SYSCTL_WRITE)
    String sysctlWrite(String name, String value) throws ErrnoException;

    /**
     * {@code sysctl(3)}'s binary read, NetBSD's shape: {@code old}'s remaining bytes are the old length
     * in, the result the old length out. With {@code old} null, the bytes a read needs now (a table's
     * with some room to grow); otherwise the value is copied into {@code old} from its position, which
     * advances, and the result is the bytes copied. A table ({@code net.inet.tcp.pcblist},
     * {@code kern.sockets}) comes as whole records of {@code elemSize} bytes (0: the kernel's size); a
     * buffer too small for it is ENOMEM. So a table of any size is read in one call sized by a first
     * call, as NetBSD's netstat reads {@code pcblist}.
     */
    @Syscall(number = 202, name = "__sysctl", component = "rumpkern", op = SYSCTL_GET)
    long sysctlGet(String name, int elemSize, @Syscall.Out(whole = true) ByteBuffer old) throws ErrnoException;

    /** {@code sysctl -a} under a prefix (empty for everything). */
    @Syscall(number = 202, name = "__sysctl", component = "rumpkern", op = SYSCTL_LIST)
    List<SysctlEntry> sysctlList(String prefix) throws ErrnoException;

    /** {@code modctl(MODCTL_LOAD)}: attaches a component to the running kernel. */
    @Syscall(number = 246, name = "modctl", component = "rumpkern", op = MODCTL_LOAD)
    void modload(String name) throws ErrnoException;

    /** {@code modctl(MODCTL_UNLOAD)}. */
    @Syscall(number = 246, name = "modctl", component = "rumpkern", op = MODCTL_UNLOAD)
    void modunload(String name) throws ErrnoException;

    /** {@code modctl(MODCTL_STAT)}. */
    @Syscall(number = 246, name = "modctl", component = "rumpkern", op = MODCTL_STAT)
    List<ModStat> modstat() throws ErrnoException;

    /** {@code reboot(2)}: halts the kernel once the call has returned. */
    @Syscall(number = 208, name = "reboot", component = "rumpkern", halts = true)
    void reboot(int howto) throws ErrnoException;

    /** {@code socket(2)}: EAFNOSUPPORT or EPROTONOSUPPORT when no linked component provides it. */
    @Syscall(number = 394, name = "__socket30", component = "rumpnet")
    int socket(int domain, int type, int protocol) throws ErrnoException;

    @Syscall(number = 104, name = "bind", component = "rumpnet")
    void bind(int fd, SockAddr addr) throws ErrnoException;

    /** {@code connect(2)}; on a non-blocking socket a connection in progress is EINPROGRESS. */
    @Syscall(number = 98, name = "connect", component = "rumpnet")
    void connect(int fd, SockAddr addr) throws ErrnoException;

    @Syscall(number = 106, name = "listen", component = "rumpnet")
    void listen(int fd, int backlog) throws ErrnoException;

    /** {@code accept(2)}: the new descriptor; the peer's address into {@code from} if not null. */
    @Syscall(number = 30, name = "accept", component = "rumpnet")
    int accept(int fd, @Syscall.Out SockAddr from) throws ErrnoException;

    /**
     * {@code sendto(2)} (and {@code sendmsg(2)} without control data): {@code to} may be null on a
     * connected socket; {@code flags} are {@code MSG_*}.
     */
    @Syscall(number = 133, name = "sendto", component = "rumpnet")
    int sendto(int fd, ByteBuffer src, int flags, SockAddr to) throws ErrnoException;

    /**
     * {@code recvfrom(2)} (and {@code recvmsg(2)} without control data): fills {@code from} if not
     * null; returns the bytes received, 0 at end of stream.
     */
    @Syscall(number = 29, name = "recvfrom", component = "rumpnet")
    int recvfrom(int fd, @Syscall.Out ByteBuffer dst, int flags, @Syscall.Out SockAddr from) throws ErrnoException;

    @Syscall(number = 134, name = "shutdown", component = "rumpnet")
    void shutdown(int fd, int how) throws ErrnoException;

    /** {@code setsockopt(2)} with an int value (SO_LINGER: seconds, negative for off; timeouts in ms). */
    @Syscall(number = 105, name = "setsockopt", component = "rumpnet")
    void setsockopt(int fd, int level, int name, int value) throws ErrnoException;

    @Syscall(number = 118, name = "getsockopt", component = "rumpnet")
    int getsockopt(int fd, int level, int name) throws ErrnoException;

    @Syscall(number = 32, name = "getsockname", component = "rumpnet")
    void getsockname(int fd, @Syscall.Out SockAddr out) throws ErrnoException;

    @Syscall(number = 31, name = "getpeername", component = "rumpnet")
    void getpeername(int fd, @Syscall.Out SockAddr out) throws ErrnoException;

    /**
     * The numbered entry point behind every method above: a call by number with arguments by value.
     * The remote server uses it; so can a caller that wants a syscall this interface does not name.
     */
    long syscall(int number, SyscallArgs args) throws ErrnoException;
}
