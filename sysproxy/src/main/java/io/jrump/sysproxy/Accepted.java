package io.jrump.sysproxy;

import io.jrump.hypercall.sp.HostSocket;
import io.jrump.kern.Cred;

/** A client connection as a {@link Listener} hands it over: the host socket, who it is, and how to name it in logs. */
record Accepted(HostSocket channel, Cred cred, String peer) {
}
