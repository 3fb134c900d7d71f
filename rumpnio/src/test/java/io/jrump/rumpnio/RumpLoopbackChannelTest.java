package io.jrump.rumpnio;

import io.jrump.kern.Kernel;
import java.net.InetAddress;

/** The shared suite with server and client in one rump kernel, over its lo0 (127.0.0.1). */
class RumpLoopbackChannelTest extends ChannelSuite {
    private HubNet net;

    @Override
    protected void start() throws Exception {
        net = new HubNet();
        Kernel k = net.boot();
        server = RumpSelectorProvider.of(k);
        client = server;
        serverAddr = InetAddress.getByName("127.0.0.1");
    }

    @Override
    protected void stop() {
        net.close();
    }

    @Override
    protected boolean blockedInKernel(Thread t) {
        return RumpThreads.inPoll(t);
    }
}
