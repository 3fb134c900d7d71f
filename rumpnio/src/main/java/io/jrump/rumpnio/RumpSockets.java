package io.jrump.rumpnio;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;

/**
 * {@code java.net.Socket}, {@code ServerSocket} and {@code DatagramSocket} on rump sockets. In Java 17
 * {@code new Socket()} and {@code new ServerSocket()} use the JDK's built-in socket implementation
 * whatever the {@link SelectorProvider} is, so code written against them cannot be moved onto a rump
 * kernel by a system property; it can by making its sockets here. Each is the adaptor of a rump channel
 * in blocking mode ({@code getChannel()} returns it), with the JDK adaptor's behaviour, timeouts included.
 * The no-provider forms use the JVM-wide provider, which must then be a {@link RumpSelectorProvider}.
 */
public final class RumpSockets {
    private RumpSockets() {
    }

    private static RumpSelectorProvider global() {
        if (SelectorProvider.provider() instanceof RumpSelectorProvider p) {
            return p;
        }
        throw new IllegalStateException("the JVM-wide SelectorProvider is " + SelectorProvider.provider()
                + ", not a RumpSelectorProvider: start the JVM with -Djava.nio.channels.spi.SelectorProvider="
                + RumpSelectorProvider.class.getName() + " or pass a provider");
    }

    /** An unconnected socket, as {@code new Socket()}. */
    public static Socket socket() throws IOException {
        return socket(global());
    }

    public static Socket socket(RumpSelectorProvider p) throws IOException {
        return p.openSocketChannel().socket();
    }

    /** A socket connected to {@code host:port}, as {@code new Socket(host, port)}. */
    public static Socket socket(RumpSelectorProvider p, InetAddress host, int port) throws IOException {
        Socket s = socket(p);
        try {
            s.connect(new InetSocketAddress(host, port));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** An unbound server socket, as {@code new ServerSocket()}. */
    public static ServerSocket serverSocket() throws IOException {
        return serverSocket(global());
    }

    public static ServerSocket serverSocket(RumpSelectorProvider p) throws IOException {
        return p.openServerSocketChannel().socket();
    }

    /** A server socket listening on {@code port} of every address, as {@code new ServerSocket(port)}. */
    public static ServerSocket serverSocket(int port) throws IOException {
        return serverSocket(global(), port);
    }

    public static ServerSocket serverSocket(RumpSelectorProvider p, int port) throws IOException {
        ServerSocket s = serverSocket(p);
        try {
            s.bind(new InetSocketAddress(port));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** An unbound datagram socket. */
    public static DatagramSocket datagramSocket(RumpSelectorProvider p) throws IOException {
        return p.openDatagramChannel().socket();
    }
}
