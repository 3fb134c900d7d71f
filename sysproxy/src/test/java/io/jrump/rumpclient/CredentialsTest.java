package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.sysproxy.CredPolicy;
import io.jrump.sysproxy.HostIdentity;
import io.jrump.sysproxy.Probe;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients are who the host says they are: the server's own user is root in its kernel, others are not. */
class CredentialsTest {
    @Test
    @RumpKernel
    void sameUserAsTheServerIsRoot(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "owner")) {
            assertEquals(0, c.getuid());
            assertEquals(0, c.geteuid());
            assertTrue(k.proc(c.pid()).cred().isRoot());
            c.sysctlWrite("kern.hostname", "owned");
        }
    }

    @Test
    void policyMapsPeers() throws Exception {
        CredPolicy p = new CredPolicy(new HostIdentity(1000, 1000), CredPolicy.NOBODY);
        assertEquals(Cred.ROOT, p.unixPeer(1000, 1000), "the server's user owns the kernel");
        assertEquals(Cred.ROOT, p.unixPeer(0, 0), "the host's root");
        Cred other = p.unixPeer(1001, 100);
        assertFalse(other.isRoot());
        assertEquals(1001, other.uid());
        assertEquals(100, other.gid());
        assertEquals(Cred.ROOT, p.tcpPeer(InetAddress.getByName("127.0.0.1")));
        assertEquals(CredPolicy.NOBODY, p.tcpPeer(InetAddress.getByName("192.0.2.1")));
    }

    @Test
    @RumpKernel
    void anotherUidIsNotRoot(Kernel k, @TempDir Path dir) throws Exception {
        assumeTrue(HostIdentity.current().uid() == 0, "needs root to run a client as another uid");
        List<String> prefix;
        if (new File("/usr/bin/setpriv").canExecute()) {
            prefix = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        } else if (new File("/usr/sbin/runuser").canExecute()) {
            prefix = List.of("/usr/sbin/runuser", "-u", "nobody", "--");
        } else {
            assumeTrue(false, "neither setpriv nor runuser is installed");
            return;
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sock = dir.resolve("sock");
        try (RumpServer s = RumpServer.start(k, "unix://" + sock)) {
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwxrwxrwx"));
            String cp = ChildJvm.classPath(Files.createDirectory(dir.resolve("cp")));
            Process child = ChildJvm.probe(prefix, cp, "ids", s.url()).start();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(!out.contains("Operation not permitted") || out.contains("IDS"),
                    "this host does not let root change uid: " + out);
            assertEquals(0, child.exitValue(), out);
            String ids = out.lines().filter(l -> l.startsWith("IDS ")).findFirst().orElseThrow(() -> new AssertionError(out));
            String[] f = ids.split(" ");
            int uid = Integer.parseInt(f[1]);
            assertEquals(65534, uid, out);
            assertEquals(65534, Integer.parseInt(f[2]));
            assertEquals(65534, Integer.parseInt(f[3]));
            assertTrue(out.contains("SYSCTLWRITE EPERM"), "a non-root client may not set sysctls: " + out);
            int pid = Integer.parseInt(f[5]);
            Probe.await(() -> k.proc(pid) == null, "the probe's process gone");
            assertNull(k.proc(pid), "the probe's process ended with it");
            assertEquals("testhost", k.hostname());
        }
    }
}
