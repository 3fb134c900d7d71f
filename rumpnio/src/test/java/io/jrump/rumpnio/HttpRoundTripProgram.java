package io.jrump.rumpnio;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;

/**
 * A program that has never heard of jrump: the JDK's HttpServer and the JDK's HttpClient in one JVM, the
 * client fetching a generated body from the server over 127.0.0.1, or (with a URL argument) the client
 * alone fetching that URL. It prints the provider and what it fetched.
 */
public final class HttpRoundTripProgram {
    private HttpRoundTripProgram() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("provider " + SelectorProvider.provider().getClass().getName());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        if (args.length > 0) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(args[0])).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            System.out.println("status " + r.statusCode() + " length " + r.body().length + " hash "
                    + Arrays.hashCode(r.body()));
            return;
        }
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7 + i / 1000);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.getAddress().getPort() + "/blob")).build(), HttpResponse.BodyHandlers.ofByteArray());
            System.out.println("status " + r.statusCode() + " same " + Arrays.equals(body, r.body()));
        }
        server.stop(0);
        System.exit(0);
    }
}
