package io.jrump.kern.syscall;

/**
 * Syscall numbers, NetBSD's ({@code sys/kern/syscalls.master}), so that a remote client's request
 * names the same call a NetBSD rump client's would. Components register handlers for the numbers
 * they implement; a number nobody registered answers ENOSYS.
 */
public final class SyscallNumbers {
    public static final int SYS_read = 3;
    public static final int SYS_write = 4;
    public static final int SYS_open = 5;
    public static final int SYS_close = 6;
    public static final int SYS_getpid = 20;
    public static final int SYS_getuid = 24;
    public static final int SYS_geteuid = 25;
    public static final int SYS_recvmsg = 27;
    public static final int SYS_sendmsg = 28;
    public static final int SYS_recvfrom = 29;
    public static final int SYS_accept = 30;
    public static final int SYS_getpeername = 31;
    public static final int SYS_getsockname = 32;
    public static final int SYS_getppid = 39;
    public static final int SYS_dup = 41;
    public static final int SYS_getegid = 43;
    public static final int SYS_getgid = 47;
    public static final int SYS_ioctl = 54;
    public static final int SYS_dup2 = 90;
    public static final int SYS_fcntl = 92;
    public static final int SYS_connect = 98;
    public static final int SYS_bind = 104;
    public static final int SYS_setsockopt = 105;
    public static final int SYS_listen = 106;
    public static final int SYS_getsockopt = 118;
    public static final int SYS_sendto = 133;
    public static final int SYS_shutdown = 134;
    public static final int SYS___sysctl = 202;
    public static final int SYS_reboot = 208;
    public static final int SYS_poll = 209;
    public static final int SYS_modctl = 246;
    public static final int SYS___socket30 = 394;
    /**
     * Operation codes of the multiplexed {@code __sysctl} and {@code modctl} calls (argument 0): part of
     * the syscall ABI, so remote clients use these same constants.
     */
    public static final int SYSCTL_READ = 0;
    public static final int SYSCTL_WRITE = 1;
    public static final int SYSCTL_LIST = 2;
    public static final int MODCTL_LOAD = 0;
    public static final int MODCTL_UNLOAD = 1;
    public static final int MODCTL_STAT = 2;
    /** Highest number the table holds. */
    public static final int SYS_MAXSYSCALL = 512;

    private SyscallNumbers() {
    }
}
