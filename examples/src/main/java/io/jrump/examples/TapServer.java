package io.jrump.examples;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.examples.httpd.UserHttpd;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A rump kernel on a Linux tap, serving discard (port 9), echo (7) and HTTP (80, {@code /10m.bin}, a
 * file in its rumpfs served by {@link UserHttpd}): the sample server that Linux's {@code socat},
 * {@code nc} and {@code curl} talk to.
 *
 * <pre>
 *   usage: tap-server TAP ADDR/LEN [EMULATOR]
 *   e.g.   ip tuntap add mode tap name tap0 &amp;&amp; ip addr add 198.18.0.1/24 dev tap0 &amp;&amp; ip link set tap0 up
 *          tap-server tap0 198.18.0.2/24 loss=1%,seed=3
 *          curl -o /dev/null http://198.18.0.2/10m.bin
 * </pre>
 *
 * The kernel links only {@code rumpvfs}, {@code rumpnet_netinet} and {@code rumpnet_virtif}. EMULATOR, if given, is put
 * in the tap's linkstr ({@code virt0 linkstr TAP,EMULATOR}).
 */
public final class TapServer {
    /** The object {@code /10m.bin}: 10 MB of seeded pseudo-random bytes, so a client can check them. */
    public static final int OBJECT_SIZE = 10 << 20;

    private TapServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: tap-server TAP ADDR/LEN [EMULATOR]");
            System.exit(2);
        }
        Kernel k = boot("tap-server");
        try {
            attach(k, args[0], args.length == 3 ? args[2] : "", args[1]);
        } catch (ErrnoException e) {
            System.err.println("tap-server: " + e.getMessage());
            k.halt();
            System.exit(1);
            return;
        }
        StreamServices s = StreamServices.start(k.syscalls(), 9, 7);
        writeFile(k.syscalls(), "/www/10m.bin", object());
        UserHttpd h = UserHttpd.start(k.syscalls(), 80, "/www");
        System.out.println("tap-server: " + args[1] + " on " + args[0] + ": discard 9, echo 7, http 80 (/10m.bin)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            h.close();
            s.close();
            HaltReport r = k.halt();
            System.out.println("tap-server: halted" + (r.clean() ? "" : ": " + r));
        }));
        Thread.currentThread().join();
    }

    /** A kernel with a file system, IPv4 and tap interfaces, two virtual CPUs. */
    public static Kernel boot(String hostname) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(hostname).ncpu(2)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpvfs", "rumpnet_netinet", "rumpnet_virtif").build());
    }

    /**
     * {@code ifconfig virt0 create linkstr TAP[,EMULATOR] inet CIDR up}: ENOENT, EACCES, EPERM or EBUSY
     * with the reason if the tap cannot be had.
     */
    public static Ifnet attach(Kernel k, String tap, String emulator, String cidr) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.create("virt0");
        IfReq r = new IfReq("virt0");
        r.linkstr = tap + (emulator.isEmpty() ? "" : "," + emulator);
        ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
        String[] p = cidr.split("/");
        IfReq a = new IfReq("virt0");
        a.addr = Ipv4Address.parse(p[0]);
        a.netmask = Ipv4Address.netmask(Integer.parseInt(p[1]));
        ifs.ioctl(IfIoctl.SIOCAIFADDR, a, Cred.ROOT);
        IfReq f = new IfReq("virt0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
        return ifs.find("virt0");
    }

    /** Writes {@code bytes} to the kernel's file {@code path} (in rumpfs), making its directory. */
    public static void writeFile(Syscalls sys, String path, byte[] bytes) throws ErrnoException {
        String dir = path.substring(0, path.lastIndexOf('/'));
        if (!dir.isEmpty()) {
            try {
                sys.mkdir(dir, 0755);
            } catch (ErrnoException e) {
                if (e.errno() != io.jrump.hypercall.Errno.EEXIST) {
                    throw e;
                }
            }
        }
        int fd = sys.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                sys.write(fd, b);
            }
        } finally {
            sys.close(fd);
        }
    }

    /** The bytes of {@code /10m.bin}. */
    public static byte[] object() {
        byte[] b = new byte[OBJECT_SIZE];
        new SplittableRandom(10).nextBytes(b);
        return b;
    }
}
