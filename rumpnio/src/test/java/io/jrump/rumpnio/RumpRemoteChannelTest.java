package io.jrump.rumpnio;

import io.jrump.kern.Kernel;
import io.jrump.rumpclient.RumpClient;
import io.jrump.sysproxy.RumpServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shared suite with the client through {@code RUMP_SERVER}: the server's channels are a process of an
 * in-process kernel, the client's a remote client of the same kernel, both on its lo0. A blocked remote call
 * is a caller waiting for its worker while, in the kernel, the server's thread for the call sleeps in poll.
 */
class RumpRemoteChannelTest extends ChannelSuite {
    private HubNet net;
    private Path dir;
    private RumpServer rs;
    private RumpSelectorProvider remote;
    private RumpClient rc;

    @Override
    protected void start() throws Exception {
        net = new HubNet();
        Kernel k = net.boot();
        dir = Files.createTempDirectory("rumpnio");
        rs = RumpServer.start(k, "unix://" + dir.resolve("sock"));
        server = RumpSelectorProvider.of(k);
        rc = RumpClient.connect(rs.url(), "suite");
        remote = RumpSelectorProvider.of(rc);
        client = remote;
        serverAddr = InetAddress.getByName("127.0.0.1");
    }

    @Override
    protected void stop() throws Exception {
        remote.close();
        rc.close();
        rs.close();
        net.close();
        Files.deleteIfExists(dir.resolve("sock"));
        Files.deleteIfExists(dir);
    }

    @Override
    protected boolean blockedInKernel(Thread t) {
        if (RumpThreads.inPoll(t)) {
            return true;
        }
        boolean waitsForWorker = false;
        for (StackTraceElement f : t.getStackTrace()) {
            waitsForWorker |= f.getClassName().equals(GuardedSyscalls.class.getName());
        }
        if (!waitsForWorker || t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey() != t && RumpThreads.inPoll(e.getKey())) {
                return true;
            }
        }
        return false;
    }
}
