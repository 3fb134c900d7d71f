package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.testkit.Probes;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import io.jrump.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Two kernels on virtif's in-process hub, as the systest network tests join them: the server
 * (198.18.0.2, netinet, rumpvfs and the accelerator serving {@code /www} on port 80) and a client
 * (198.18.0.1). Each side's link may go through the link emulator (loss, reordering) from a fixed
 * seed. Closing halts both and fails the test if either still holds memory, mbufs, sockets or threads.
 */
final class AfpaNet implements AutoCloseable {
    static final String SERVER = "198.18.0.2";
    static final int PORT = 80;
    static final String DOCROOT = "/www";

    final Kernel server;
    final Kernel client;
    final Afpa afpa;
    private final List<UserServer> users = new ArrayList<>();

    /** Plain links, the accelerator in {@code mode}. */
    AfpaNet(String mode) throws Exception {
        this(mode, null, 0);
    }

    /** {@code emulation} (a {@link LinkEmulator} configuration) on both sides, seeded from {@code seed}. */
    AfpaNet(String mode, String emulation, long seed) throws Exception {
        this(mode, emulation, seed, true);
    }

    AfpaNet(String mode, String emulation, long seed, boolean accelerator) throws Exception {
        Hub hub = new Hub("afpa");
        server = boot("server", seed, accelerator ? new String[] {"rumpnet_netinet", "rumpvfs", "rumpnet_afpa"}
                : new String[] {"rumpnet_netinet", "rumpvfs"});
        client = boot("client", seed + 1, new String[] {"rumpnet_netinet"});
        attach(server, link(server, hub, emulation, seed + 100), SERVER);
        attach(client, link(client, hub, emulation, seed + 200), "198.18.0.1");
        server.syscalls().mkdir(DOCROOT, 0755);
        afpa = server.service(Afpa.class);
        if (afpa != null) {
            // off until the test has its user-level server, so that a test decides when the accelerator attaches
            server.syscalls().sysctlWrite("net.afpa.enable", "0");
            configure(mode);
        }
    }

    /** Sets the accelerator up as the tests want it: {@code /www} on port 80 in {@code mode}. */
    void configure(String mode) throws ErrnoException {
        Syscalls s = server.syscalls();
        s.sysctlWrite("net.afpa.docroot", DOCROOT);
        s.sysctlWrite("net.afpa.port", String.valueOf(PORT));
        s.sysctlWrite("net.afpa.mode", mode);
    }

    private static Kernel boot(String name, long seed, String[] components) throws Exception {
        HostHypercall hc = HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                .random(new SeededRandom(seed + 1)).build();
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).hypercall(hc).component(components).build());
    }

    private static EtherLink link(Kernel k, Hub hub, String emulation, long seed) {
        EtherLink l = hub.attach();
        return emulation == null ? l : new LinkEmulator(k.hypercall(), l, emulation + ",seed=" + seed);
    }

    private static void attach(Kernel k, EtherLink link, String addr) throws ErrnoException {
        EtherIfs.attach(k, "shmif0", link, 1500);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        IfReq f = new IfReq("shmif0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
    }

    /** Writes {@code data} as the document {@code path} (under the docroot), making directories. */
    void file(String path, byte[] data) throws ErrnoException {
        Syscalls s = server.syscalls();
        String full = DOCROOT + path;
        int slash = full.indexOf('/', 1);
        while (slash > 0 && slash < full.lastIndexOf('/') + 1) {
            String dir = full.substring(0, slash);
            try {
                s.mkdir(dir, 0755);
            } catch (ErrnoException e) {
                // exists already
            }
            slash = full.indexOf('/', slash + 1);
        }
        int fd = s.open(full, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                s.write(fd, b);
            }
        } finally {
            s.close(fd);
        }
    }

    /** Starts a user-level server listening on the port in the server kernel. */
    UserServer user() throws ErrnoException {
        return user(false);
    }

    /** A user-level server, without telling the accelerator: it must learn of it from {@code listen(2)}. */
    UserServer userListening(boolean files) throws ErrnoException {
        UserServer u = new UserServer(server, PORT, files ? DOCROOT : null);
        users.add(u);
        return u;
    }

    /** With {@code files}, the user-level server answers GETs with the files of the docroot. */
    UserServer user(boolean files) throws ErrnoException {
        UserServer u = new UserServer(server, PORT, files ? DOCROOT : null);
        users.add(u);
        if (afpa != null) {
            afpa.settingChanged();
        }
        return u;
    }

    /** A client connection from the client kernel to the server's port. */
    HttpConn connect() throws ErrnoException {
        return new HttpConn(client.syscalls(), SERVER, PORT);
    }

    /** Waits until the accelerator serves the port (it attaches from a service thread). */
    void awaitServing() throws ErrnoException {
        server.syscalls().sysctlWrite("net.afpa.enable", "1");
        Probes.await("the accelerator to serve port " + PORT, afpa::serving);
    }

    long stat(String name) {
        return afpa.stats().get(name);
    }

    @Override
    public void close() {
        for (UserServer u : users) {
            u.close();
        }
        HaltReport c = client.halt();
        HaltReport s = server.halt();
        assertTrue(s.clean() && c.clean(), "server: " + s + "\nclient: " + c);
    }
}
