package io.jrump.examples.httpd;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpclient.RumpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code rump.fetch}: an HTTP/1.1 client whose sockets are those of the rump kernel {@code RUMP_SERVER}
 * names, as {@code curl} is one on the host's. The URLs are fetched in order on one keep-alive
 * connection per server (a new one when the server closed it).
 *
 * <pre>
 * usage: rump.fetch [-s] [-i] [-X METHOD] [-H 'Name: value']... [-o FILE] URL...
 *   -s  print one line per response (status, length, type, path) instead of its body
 *   -i  print the response head before the body
 * </pre>
 */
public final class RumpFetch {
    static final String USAGE = "usage: rump.fetch [-s] [-i] [-X METHOD] [-H 'Name: value']... [-o FILE] URL...";

    private RumpFetch() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean summary = false;
        boolean include = false;
        String method = "GET";
        List<String> headers = new ArrayList<>();
        String file = null;
        List<URI> urls = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-s" -> summary = true;
                    case "-i" -> include = true;
                    case "-X" -> method = args[++i];
                    case "-H" -> headers.add(args[++i]);
                    case "-o" -> file = args[++i];
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new IllegalArgumentException("unknown flag " + args[i]);
                        }
                        URI u = URI.create(args[i]);
                        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                            throw new IllegalArgumentException(args[i] + ": not an http:// URL with an address");
                        }
                        urls.add(u);
                    }
                }
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            err.println("rump.fetch: " + (e instanceof ArrayIndexOutOfBoundsException ? "a flag needs a value" : e.getMessage()));
            err.println(USAGE);
            return 2;
        }
        if (urls.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        String rs = System.getenv(RumpClient.RUMP_SERVER);
        if (rs == null || rs.isBlank()) {
            err.println("rump.fetch: RUMP_SERVER is not set (try RUMP_SERVER=unix:///tmp/rumpsock)");
            return 1;
        }
        RumpClient sys;
        try {
            sys = RumpClient.fromEnvironment("rump.fetch");
        } catch (IOException e) {
            err.println("rump.fetch: cannot reach the rump server at " + rs + ": " + e.getMessage());
            return 1;
        }
        int rc = 0;
        try (OutputStream body = file == null ? out : Files.newOutputStream(Path.of(file))) {
            Fetcher f = new Fetcher(sys);
            for (URI u : urls) {
                Response r = f.fetch(u, method, headers);
                if (summary) {
                    out.printf("%d %-22s %8d bytes  %-26s %s%s%n", r.status, r.reason, r.body.length,
                            r.header("content-type"), u.getRawPath(), r.reused ? "" : "  (a new connection)");
                    continue;
                }
                if (include) {
                    body.write(r.head.getBytes(StandardCharsets.ISO_8859_1));
                }
                body.write(r.body);
            }
            f.close();
        } catch (IOException | ErrnoException e) {
            err.println("rump.fetch: " + e.getMessage());
            rc = 1;
        } finally {
            sys.close();
        }
        return rc;
    }

    /** The offset just past the blank line that ends a response head in {@code b[0, len)}, or -1. */
    static int headEnd(byte[] b, int len) {
        for (int i = 1; i < len; i++) {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))) {
                return i + 1;
            }
        }
        return -1;
    }

    /** One response: its head as text, its status and its body. */
    record Response(String head, int status, String reason, byte[] body, boolean reused) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return "-";
        }
    }

    /** Keeps one connection open between requests to the same server. */
    static final class Fetcher implements AutoCloseable {
        private final Syscalls sys;
        private int fd = -1;
        private String at;
        private final ByteBuffer in = ByteBuffer.allocate(256 << 10);

        Fetcher(Syscalls sys) {
            this.sys = sys;
        }

        Response fetch(URI u, String method, List<String> headers) throws ErrnoException, IOException {
            int port = u.getPort() < 0 ? 80 : u.getPort();
            String where = u.getHost() + ":" + port;
            boolean reused = fd >= 0 && where.equals(at);
            if (!reused) {
                close();
                fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                sys.connect(fd, SockAddr.in(u.getHost(), port));
                at = where;
                in.clear();
            }
            StringBuilder req = new StringBuilder();
            String target = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            req.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(u.getHost())
                    .append(port == 80 ? "" : ":" + port).append("\r\nUser-Agent: rump.fetch\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            ByteBuffer b = ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) {
                sys.write(fd, b);
            }
            Response r = read(method.equals("HEAD"), reused);
            if (r.header("connection").equalsIgnoreCase("close")) {
                close();
            }
            return r;
        }

        private Response read(boolean head, boolean reused) throws ErrnoException, IOException {
            int end;
            while ((end = headEnd(in.array(), in.position())) < 0) {
                fill();
            }
            String h = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
            String[] status = h.substring(0, h.indexOf('\n')).trim().split(" ", 3);
            int code = Integer.parseInt(status[1]);
            Response r0 = new Response(h, code, status.length > 2 ? status[2] : "", new byte[0], reused);
            String cl = r0.header("content-length");
            long len = head || code == 304 || code == 204 || cl.equals("-") ? 0 : Long.parseLong(cl);
            byte[] body = new byte[Math.toIntExact(len)];
            int got = 0;
            int avail = in.position() - end;
            int take = (int) Math.min(avail, len);
            System.arraycopy(in.array(), end, body, 0, take);
            got += take;
            // keep what follows (a pipelined answer), drop what was used
            System.arraycopy(in.array(), end + take, in.array(), 0, avail - take);
            in.position(avail - take);
            while (got < len) {
                in.clear();
                in.limit((int) Math.min(in.capacity(), len - got));
                if (sys.read(fd, in) <= 0) {
                    throw new IOException("the server closed the connection after " + got + " of " + len + " bytes");
                }
                System.arraycopy(in.array(), 0, body, got, in.position());
                got += in.position();
                in.clear();
            }
            if (len > 0) {
                in.limit(in.capacity());
            }
            return new Response(h, code, r0.reason(), body, reused);
        }

        private void fill() throws ErrnoException, IOException {
            if (!in.hasRemaining()) {
                throw new IOException("a response head larger than " + in.capacity() + " bytes");
            }
            if (sys.read(fd, in) <= 0) {
                throw new IOException("the server closed the connection");
            }
        }

        @Override
        public void close() {
            if (fd >= 0) {
                try {
                    sys.close(fd);
                } catch (ErrnoException e) {
                    // gone already
                }
                fd = -1;
            }
        }
    }
}
