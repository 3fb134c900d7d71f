package io.jrump.hypercall.sp;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.net.HostAndPort;
import java.nio.charset.StandardCharsets;

/**
 * A sysproxy address as {@code rump_server} and {@code RUMP_SERVER} spell it: {@code unix://PATH}, the
 * path relative to the working directory unless it starts with a slash (so {@code unix:///tmp/s} is
 * absolute), or {@code tcp://ADDR:PORT} with an IPv4 address, a host name or a bracketed IPv6 address
 * (Guava's {@link HostAndPort} reads and writes that form).
 */
public record SpUrl(boolean unix, String path, String host, int port) {
    /** {@code sun_path} holds 108 bytes with the terminating NUL. */
    public static final int MAX_UNIX_PATH = 107;
    private static final String UNIX = "unix://";
    private static final String TCP = "tcp://";

    /** Parses {@code url}; a malformed one is an IllegalArgumentException saying what is accepted. */
    public static SpUrl parse(String url) {
        checkArgument(url != null && !url.isBlank(), "no server URL: use unix://PATH or tcp://ADDR:PORT");
        if (url.startsWith(UNIX)) {
            String p = url.substring(UNIX.length());
            checkArgument(!p.isEmpty(), "'%s' names no socket path", url);
            checkArgument(p.getBytes(StandardCharsets.UTF_8).length <= MAX_UNIX_PATH,
                    "socket path of '%s' is longer than %s bytes; use a shorter or relative path", url, MAX_UNIX_PATH);
            return new SpUrl(true, p, null, 0);
        }
        checkArgument(url.startsWith(TCP), "unsupported server URL '%s': use unix://PATH or tcp://ADDR:PORT", url);
        HostAndPort hp;
        try {
            hp = HostAndPort.fromString(url.substring(TCP.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + url + "' needs tcp://ADDR:PORT with a port 0..65535"
                    + " and an IPv6 address in brackets: " + e.getMessage(), e);
        }
        checkArgument(hp.hasPort() && !hp.getHost().isEmpty(),
                "'%s' needs tcp://ADDR:PORT (an IPv6 address in brackets)", url);
        return new SpUrl(false, null, hp.getHost(), hp.getPort());
    }

    @Override
    public String toString() {
        return unix ? UNIX + path : TCP + HostAndPort.fromParts(host, port);
    }
}
