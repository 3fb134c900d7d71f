package io.jrump.sysproxy;

import io.jrump.kern.Cred;

/** A client connection as a {@link Listener} hands it over: the transport, who it is, and how to name it in logs. */
record Accepted(Transport channel, Cred cred, String peer) {
}
