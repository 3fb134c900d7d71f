package io.jrump.tools;

import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpclient.RumpClient;
import java.io.IOException;

/** The kernel a program runs in: the one {@code RUMP_SERVER} names, through the client library. */
final class Remote {
    private Remote() {
    }

    /** A failure to reach the kernel, with the reason in words. */
    static final class ConnectException extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectException(String message) {
            super(message, null, false, false);
        }
    }

    static Syscalls connect(String progname) throws ConnectException {
        String url = System.getenv(RumpClient.RUMP_SERVER);
        if (url == null || url.isBlank()) {
            throw new ConnectException("RUMP_SERVER is not set (try RUMP_SERVER=unix:///tmp/rumpsock)");
        }
        try {
            return RumpClient.fromEnvironment(progname);
        } catch (IOException e) {
            throw new ConnectException("cannot reach the rump server at " + url + ": " + e.getMessage());
        }
    }

    static void close(Syscalls sys) {
        if (sys instanceof RumpClient c) {
            c.close();
        }
    }
}
