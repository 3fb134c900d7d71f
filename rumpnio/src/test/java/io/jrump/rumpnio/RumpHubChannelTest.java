package io.jrump.rumpnio;

/** The shared suite with the server on one rump kernel and the client on another, across the hub. */
class RumpHubChannelTest extends ChannelSuite {
    private HubNet net;

    @Override
    protected void start() throws Exception {
        net = new HubNet();
        server = RumpSelectorProvider.of(net.boot());
        client = RumpSelectorProvider.of(net.boot());
        serverAddr = HubNet.address(1);
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
