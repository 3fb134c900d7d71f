package io.jrump.rumpnio;

import java.net.InetAddress;

/** The shared suite against the JDK's own provider over the host's loopback: the behaviour to match. */
class JdkChannelTest extends ChannelSuite {
    @Override
    protected void start() throws Exception {
        server = RumpSelectorProvider.jdk();
        client = server;
        serverAddr = InetAddress.getByName("127.0.0.1");
    }

    @Override
    protected void stop() {
    }

    /** A JDK channel blocks in a native method of {@code sun.nio.ch} (read, accept, poll, epoll_wait). */
    @Override
    protected boolean blockedInKernel(Thread t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 && st[0].isNativeMethod() && st[0].getClassName().startsWith("sun.nio.ch.");
    }
}
