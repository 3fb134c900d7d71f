package io.jrump.kern;

/**
 * When a component attaches during boot, in NetBSD's {@code RUMP_COMPONENT} order: the kernel core
 * first, then file systems, the network core, routing, interfaces, interface configuration (where
 * {@code lo0} gets 127.0.0.1), devices, late initialisation, and last the syscalls a component adds.
 */
public enum ComponentLevel {
    KERN, VFS, NET, NET_ROUTE, NET_IF, NET_IFCFG, DEV, POSTINIT, SYSCALL
}
