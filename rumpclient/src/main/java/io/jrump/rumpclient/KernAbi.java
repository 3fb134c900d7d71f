package io.jrump.rumpclient;

/**
 * Operation codes of the multiplexed {@code __sysctl} and {@code modctl} syscalls (argument 0), as the
 * kernel's {@code KernSyscalls} defines them. They are part of the syscall ABI a remote caller must
 * speak, but package-private in the kernel, hence repeated here.
 */
final class KernAbi {
    static final int SYSCTL_READ = 0;
    static final int SYSCTL_WRITE = 1;
    static final int SYSCTL_LIST = 2;
    static final int MODCTL_LOAD = 0;
    static final int MODCTL_UNLOAD = 1;
    static final int MODCTL_STAT = 2;

    private KernAbi() {
    }
}
