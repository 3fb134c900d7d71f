package io.jrump.sysproxy;

import io.jrump.kern.Cred;

/**
 * A connected client as the server sees it: its process, the program name it gave (changed by exec,
 * which the kernel's process cannot record), where it connected from and the credentials it was given.
 */
public record ClientInfo(int pid, String progname, String peer, Cred cred) {
}
