package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;
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
 * the length), a vector of buffers a {@code ByteBuffer[]} (NetBSD's iovec), a record the kernel fills (a stat) a mutable class with a registered codec marked
 * {@link Syscall.Out}. A row that takes another row's arguments and has no method of its own is a
 * {@link Syscall.Alias} on this interface.
 */
@Syscall.Alias(number = 27, name = "recvmsg", component = "rumpnet", argsOf = "recvfrom")
@Syscall.Alias(number = 28, name = "sendmsg", component = "rumpnet", argsOf = "sendto")
public interface Syscalls {
    /** {@code fcntl} commands, NetBSD's numbers. */
    int F_DUPFD = 0;
    int F_GETFD = 1;
    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int F_DUPFD_CLOEXEC = 12;
    /** {@code F_GETFD}/{@code F_SETFD}'s flag: the descriptor closes when the process runs a new program. */
    int FD_CLOEXEC = 1;
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

    /**
     * {@code fcntl(2)}'s advisory record locks, the same row with a {@code struct flock}: {@code cmd} is
     * {@code F_GETLK} (returns the first lock of another process that would block {@code lock}, or
     * {@code lock} with type {@code F_UNLCK} if none), {@code F_SETLK} (EAGAIN on a conflict; returns
     * null) or {@code F_SETLKW} (sleeps until the range is free; EINTR if the process is killed, EDEADLK
     * if the sleep would close a circle of waiters). Locks belong to the process. EINVAL on a descriptor
     * that is not a file (a socket).
     */
    @Syscall(number = 92, name = "fcntl", component = "rumpkern")
    Flock fcntlLock(int fd, int cmd, Flock lock) throws ErrnoException;

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

    // --- file system calls: rows of rumpvfs (vfs_syscalls.c, sys_generic.c), gathered here ------------
    // Paths are Strings, buffers ByteBuffers (their remaining bytes the length), and what the kernel
    // fills (struct stat, statvfs, dirents) comes back as the call's result record. A directory
    // descriptor of AT_FDCWD means the current directory; every failure is NetBSD's errno.

    /** {@code AT_FDCWD}: the {@code *at} calls' stand-in for the current directory. */
    int AT_FDCWD = -100;

    /** {@code open(2)}: {@code flags} are NetBSD's {@code O_*}; returns the new descriptor. */
    @Syscall(number = 5, name = "open", component = "rumpvfs")
    int open(String path, int flags, int mode) throws ErrnoException;

    @Syscall(number = 468, name = "openat", component = "rumpvfs")
    int openat(int dirfd, String path, int flags, int mode) throws ErrnoException;

    /** Most buffers one {@code readv}/{@code writev} takes ({@code IOV_MAX}); more is EINVAL. */
    int IOV_MAX = 1024;

    /**
     * {@code readv(2)}: fills the buffers in order, as one read of the file (one offset update, one
     * range); stops at the first buffer it cannot fill. No buffers, or more than {@link #IOV_MAX}, is
     * EINVAL. Works on any descriptor.
     */
    @Syscall(number = 120, name = "readv", component = "rumpvfs")
    long readv(int fd, @Syscall.Out ByteBuffer[] iov) throws ErrnoException;

    /**
     * {@code writev(2)}: writes the buffers' remaining bytes in order as one write; a short write (a full
     * file system, a socket's room) advances the buffers by what was written. EINVAL as {@link #readv}.
     */
    @Syscall(number = 121, name = "writev", component = "rumpvfs")
    long writev(int fd, ByteBuffer[] iov) throws ErrnoException;

    /** {@code pread(2)}: at {@code offset}, leaving the file offset alone. */
    @Syscall(number = 173, name = "pread", component = "rumpvfs")
    int pread(int fd, @Syscall.Out ByteBuffer dst, long offset) throws ErrnoException;

    @Syscall(number = 174, name = "pwrite", component = "rumpvfs")
    int pwrite(int fd, ByteBuffer src, long offset) throws ErrnoException;

    /** {@code lseek(2)}, SEEK_DATA and SEEK_HOLE included: the new offset. */
    @Syscall(number = 199, name = "lseek", component = "rumpvfs")
    long lseek(int fd, long offset, int whence) throws ErrnoException;

    @Syscall(number = 439, name = "__stat50", component = "rumpvfs")
    Stat stat(String path) throws ErrnoException;

    @Syscall(number = 441, name = "__lstat50", component = "rumpvfs")
    Stat lstat(String path) throws ErrnoException;

    @Syscall(number = 440, name = "__fstat50", component = "rumpvfs")
    Stat fstat(int fd) throws ErrnoException;

    /** {@code fstatat(2)}: {@code flags} may hold AT_SYMLINK_NOFOLLOW. */
    @Syscall(number = 466, name = "fstatat", component = "rumpvfs")
    Stat fstatat(int dirfd, String path, int flags) throws ErrnoException;

    /** {@code access(2)} with the real ids: F_OK or a mix of R_OK, W_OK, X_OK. */
    @Syscall(number = 33, name = "access", component = "rumpvfs")
    void access(String path, int mode) throws ErrnoException;

    @Syscall(number = 15, name = "chmod", component = "rumpvfs")
    void chmod(String path, int mode) throws ErrnoException;

    @Syscall(number = 124, name = "fchmod", component = "rumpvfs")
    void fchmod(int fd, int mode) throws ErrnoException;

    /** {@code chown(2)}: -1 leaves an id as it is. */
    @Syscall(number = 16, name = "chown", component = "rumpvfs")
    void chown(String path, int uid, int gid) throws ErrnoException;

    @Syscall(number = 123, name = "fchown", component = "rumpvfs")
    void fchown(int fd, int uid, int gid) throws ErrnoException;

    @Syscall(number = 275, name = "lchown", component = "rumpvfs")
    void lchown(String path, int uid, int gid) throws ErrnoException;

    /**
     * {@code utimensat(2)}: null times (both) mean now; a time's {@code nsec} may be
     * {@code UTIME_NOW} or {@code UTIME_OMIT}.
     */
    @Syscall(number = 467, name = "utimensat", component = "rumpvfs")
    void utimensat(int dirfd, String path, Timespec atime, Timespec mtime,
                   int flags) throws ErrnoException;

    @Syscall(number = 472, name = "futimens", component = "rumpvfs")
    void futimens(int fd, Timespec atime, Timespec mtime) throws ErrnoException;

    @Syscall(number = 200, name = "truncate", component = "rumpvfs")
    void truncate(String path, long length) throws ErrnoException;

    @Syscall(number = 201, name = "ftruncate", component = "rumpvfs")
    void ftruncate(int fd, long length) throws ErrnoException;

    @Syscall(number = 95, name = "fsync", component = "rumpvfs")
    void fsync(int fd) throws ErrnoException;

    /** {@code link(2)}: {@code to} becomes another name of {@code from}. */
    @Syscall(number = 9, name = "link", component = "rumpvfs")
    void link(String from, String to) throws ErrnoException;

    @Syscall(number = 457, name = "linkat", component = "rumpvfs")
    void linkat(int fromfd, String from, int tofd, String to, int flags) throws ErrnoException;

    @Syscall(number = 10, name = "unlink", component = "rumpvfs")
    void unlink(String path) throws ErrnoException;

    /** {@code unlinkat(2)}: AT_REMOVEDIR in {@code flags} makes it {@code rmdir}. */
    @Syscall(number = 471, name = "unlinkat", component = "rumpvfs")
    void unlinkat(int dirfd, String path, int flags) throws ErrnoException;

    @Syscall(number = 128, name = "rename", component = "rumpvfs")
    void rename(String from, String to) throws ErrnoException;

    @Syscall(number = 458, name = "renameat", component = "rumpvfs")
    void renameat(int fromfd, String from, int tofd, String to) throws ErrnoException;

    @Syscall(number = 136, name = "mkdir", component = "rumpvfs")
    void mkdir(String path, int mode) throws ErrnoException;

    @Syscall(number = 461, name = "mkdirat", component = "rumpvfs")
    void mkdirat(int dirfd, String path, int mode) throws ErrnoException;

    @Syscall(number = 137, name = "rmdir", component = "rumpvfs")
    void rmdir(String path) throws ErrnoException;

    /** {@code symlink(2)}: {@code linkpath} becomes a link holding {@code target}. */
    @Syscall(number = 57, name = "symlink", component = "rumpvfs")
    void symlink(String target, String linkpath) throws ErrnoException;

    /** {@code readlink(2)}: the link's contents. */
    @Syscall(number = 58, name = "readlink", component = "rumpvfs")
    String readlink(String path) throws ErrnoException;

    /** {@code mknod(2)}: {@code mode} holds the file type ({@code S_IFCHR}, {@code S_IFBLK}, ...). */
    @Syscall(number = 450, name = "__mknod50", component = "rumpvfs")
    void mknod(String path, int mode, long dev) throws ErrnoException;

    /** {@code getdents(2)}: the entries that fit in {@code count} bytes of NetBSD dirents; empty at the end. */
    @Syscall(number = 390, name = "__getdents30", component = "rumpvfs")
    List<Dirent> getdents(int fd, int count) throws ErrnoException;

    @Syscall(number = 12, name = "chdir", component = "rumpvfs")
    void chdir(String path) throws ErrnoException;

    @Syscall(number = 13, name = "fchdir", component = "rumpvfs")
    void fchdir(int fd) throws ErrnoException;

    @Syscall(number = 296, name = "__getcwd", component = "rumpvfs")
    String getcwd() throws ErrnoException;

    @Syscall(number = 61, name = "chroot", component = "rumpvfs")
    void chroot(String path) throws ErrnoException;

    /** {@code umask(2)}: returns the old mask. */
    @Syscall(number = 60, name = "umask", component = "rumpvfs", sleeps = false)
    int umask(int mask) throws ErrnoException;

    /** {@code mount(2)} of a file system type ({@code "rumpfs"}) on {@code path}; {@code data} its options. */
    @Syscall(number = 410, name = "__mount50", component = "rumpvfs")
    void mount(String type, String path, int flags, String data) throws ErrnoException;

    /** {@code unmount(2)}: MNT_FORCE in {@code flags} unmounts a busy file system. */
    @Syscall(number = 22, name = "unmount", component = "rumpvfs")
    void unmount(String path, int flags) throws ErrnoException;

    @Syscall(number = 357, name = "statvfs1", component = "rumpvfs")
    StatVfs statvfs(String path) throws ErrnoException;

    @Syscall(number = 358, name = "fstatvfs1", component = "rumpvfs")
    StatVfs fstatvfs(int fd) throws ErrnoException;

    /** {@code getvfsstat(2)}: every mounted file system, the root first. */
    @Syscall(number = 356, name = "getvfsstat", component = "rumpvfs")
    List<StatVfs> getvfsstat(int flags) throws ErrnoException;

    @Syscall(number = 36, name = "sync", component = "rumpvfs")
    void sync() throws ErrnoException;

    @Syscall(number = 191, name = "pathconf", component = "rumpvfs")
    long pathconf(String path, int name) throws ErrnoException;

    /**
     * The numbered entry point behind every method above: a call by number with arguments by value.
     * The remote server uses it; so can a caller that wants a syscall this interface does not name.
     */
    long syscall(int number, SyscallArgs args) throws ErrnoException;
}
