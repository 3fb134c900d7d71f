package io.jrump.rumpnio;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that has never heard of jrump: the JDK's HttpServer serving the files of a directory on a
 * port, until its standard input ends. Tests run it in a JVM of its own with the rump provider chosen by
 * system properties.
 */
public final class FileServerProgram {
    private FileServerProgram() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", ex -> {
            Path f = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] body = Files.readAllBytes(f);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        System.out.println("serving " + server.getAddress() + " with " + java.nio.channels.spi.SelectorProvider.provider());
        System.out.flush();
        System.in.read();
        server.stop(0);
    }
}
