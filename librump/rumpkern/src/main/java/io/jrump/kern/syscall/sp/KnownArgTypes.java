package io.jrump.kern.syscall.sp;

import java.util.Map;

/**
 * Kernel argument classes the standard registry picks up by name when their jar is on the class path,
 * so that a rump server linked with networking and an interface tool agree on them with no setup. The
 * protocol module cannot depend on those jars, or every client and server would carry networking
 * whether its kernel links it or not; a class that is absent is simply not registered.
 */
final class KnownArgTypes {
    /** Class name to wire tag. */
    static final Map<String, String> BY_NAME = Map.of(
            "io.jrump.net.IfReq", "ifreq",
            "io.jrump.net.RtReq", "rtreq",
            "io.jrump.netinet.ArpReq", "arpreq");

    private KnownArgTypes() {
    }
}
