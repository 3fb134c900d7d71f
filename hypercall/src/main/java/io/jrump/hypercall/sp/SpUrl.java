package io.jrump.hypercall.sp;

/**
 * A sysproxy address as {@code rump_server} and {@code RUMP_SERVER} spell it: {@code unix://PATH}, the
 * path relative to the working directory unless it starts with a slash (so {@code unix:///tmp/s} is
 * absolute), or {@code tcp://ADDR:PORT} with an IPv4 address, a host name or a bracketed IPv6 address.
 */
public record SpUrl(boolean unix, String path, String host, int port) {
    /** {@code sun_path} holds 108 bytes with the terminating NUL. */
    public static final int MAX_UNIX_PATH = 107;

    /** Parses {@code url}; a malformed one is an IllegalArgumentException saying what is accepted. */
    public static SpUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no server URL: use unix://PATH or tcp://ADDR:PORT");
        }
        if (url.startsWith("unix://")) {
            String p = url.substring("unix://".length());
            if (p.isEmpty()) {
                throw new IllegalArgumentException("'" + url + "' names no socket path");
            }
            if (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_UNIX_PATH) {
                throw new IllegalArgumentException("socket path of '" + url + "' is longer than " + MAX_UNIX_PATH
                        + " bytes; use a shorter or relative path");
            }
            return new SpUrl(true, p, null, 0);
        }
        if (url.startsWith("tcp://")) {
            String hp = url.substring("tcp://".length());
            int colon = hp.lastIndexOf(':');
            if (colon <= 0 || colon == hp.length() - 1) {
                throw new IllegalArgumentException("'" + url + "' needs tcp://ADDR:PORT");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("'" + url + "': write an IPv6 address in brackets");
            }
            int port;
            try {
                port = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535 || host.isEmpty()) {
                throw new IllegalArgumentException("'" + url + "' needs a port 0..65535");
            }
            return new SpUrl(false, null, host, port);
        }
        throw new IllegalArgumentException("unsupported server URL '" + url + "': use unix://PATH or tcp://ADDR:PORT");
    }

    @Override
    public String toString() {
        if (unix) {
            return "unix://" + path;
        }
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
