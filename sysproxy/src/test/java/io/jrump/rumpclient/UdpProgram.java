package io.jrump.rumpclient;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallNumbers;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A program written against {@link Syscalls} alone, which calls every method of the interface: two
 * processes exchange datagrams over 127.0.0.1 and one of them looks at the kernel's sysctl, module and
 * interface state. It records what it saw, leaving out what legitimately differs between runs (pids,
 * ports), so that the transcript of a local run and of a remote run can be compared line by line.
 */
final class UdpProgram {
    private final Syscalls a;
    private final Syscalls b;
    private final List<String> out = new ArrayList<>();

    UdpProgram(Syscalls a, Syscalls b) {
        this.a = a;
        this.b = b;
    }

    private void say(String s) {
        out.add(s);
    }

    private String errno(Runnable0 r) {
        try {
            r.run();
            return "ok";
        } catch (ErrnoException e) {
            return Errno.name(e.errno());
        }
    }

    private interface Runnable0 {
        void run() throws ErrnoException;
    }

    List<String> run() throws ErrnoException {
        say("ppid below pid " + (a.getppid() < a.getpid()));
        say("ids " + a.getuid() + " " + a.geteuid() + " " + a.getgid() + " " + a.getegid());
        say("pid positive " + (a.getpid() > 0 && b.getpid() > 0));

        int sa = a.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        int sb = b.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        a.bind(sa, SockAddr.in("127.0.0.1", 0));
        SockAddr aAddr = new SockAddr();
        a.getsockname(sa, aAddr);
        say("a bound to " + SockAddr.format(aAddr.addr) + " port>0 " + (aAddr.port > 0));

        ByteBuffer msg = ByteBuffer.wrap("hello over sysproxy".getBytes(StandardCharsets.US_ASCII));
        say("sendto " + b.sendto(sb, msg, 0, aAddr) + " left " + msg.remaining());
        SockAddr bAddr = new SockAddr();
        b.getsockname(sb, bAddr);

        PollFd[] fds = {new PollFd(sa, Poll.POLLIN), new PollFd(-1, Poll.POLLIN)};
        say("poll " + a.poll(fds, 5000) + " revents " + (fds[0].revents & Poll.POLLIN));
        int[] ready = new int[1];
        a.ioctl(sa, SocketDefs.FIONREAD, ready);
        say("FIONREAD " + ready[0]);

        ByteBuffer in = ByteBuffer.allocate(64);
        in.position(3);
        SockAddr from = new SockAddr();
        int n = a.recvfrom(sa, in, 0, from);
        say("recvfrom " + n + " position " + in.position() + " '"
                + new String(in.array(), 3, n, StandardCharsets.US_ASCII) + "' from b " + (from.port == bAddr.port)
                + " " + SockAddr.format(from.addr));

        b.connect(sb, aAddr);
        SockAddr peer = new SockAddr();
        b.getpeername(sb, peer);
        say("peer is a " + peer.equals(aAddr));
        ByteBuffer direct = ByteBuffer.allocateDirect(5).put("world".getBytes(StandardCharsets.US_ASCII)).flip();
        say("write " + b.write(sb, direct) + " left " + direct.remaining());
        ByteBuffer rd = ByteBuffer.allocateDirect(16);
        say("read " + a.read(sa, rd) + " position " + rd.position());
        byte[] got = new byte[5];
        rd.flip().get(got);
        say("read '" + new String(got, StandardCharsets.US_ASCII) + "'");

        say("F_GETFL nonblock " + ((a.fcntl(sa, Syscalls.F_GETFL, 0) & 0x4) != 0));
        a.ioctl(sa, SocketDefs.FIONBIO, new int[] {1});
        say("recvfrom empty nonblocking " + errno(() -> a.recvfrom(sa, ByteBuffer.allocate(8), 0, null)));
        a.fcntl(sa, Syscalls.F_SETFL, 0);
        say("recvfrom dontwait " + errno(() -> a.recvfrom(sa, ByteBuffer.allocate(8), SocketDefs.MSG_DONTWAIT, null)));

        a.setsockopt(sa, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 32768);
        say("SO_RCVBUF " + a.getsockopt(sa, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
        say("SO_TYPE " + a.getsockopt(sa, SocketDefs.SOL_SOCKET, SocketDefs.SO_TYPE));
        say("listen on udp " + errno(() -> a.listen(sa, 5)));
        say("accept on udp " + errno(() -> a.accept(sa, new SockAddr())));
        say("shutdown " + errno(() -> b.shutdown(sb, SocketDefs.SHUT_WR)));
        say("write after shutdown " + errno(() -> b.write(sb, ByteBuffer.wrap(new byte[1]))));

        int d = a.dup(sa);
        say("dup is new " + (d != sa));
        say("dup2 " + (a.dup2(sa, 40) == 40));
        SockAddr viaDup = new SockAddr();
        a.getsockname(40, viaDup);
        say("dup2 same socket " + viaDup.equals(aAddr));
        a.close(d);
        a.close(40);
        a.close(sa);
        b.close(sb);
        say("close again " + errno(() -> a.close(sa)));
        say("getsockname closed " + errno(() -> a.getsockname(sa, new SockAddr())));
        say("socket of unknown family " + errno(() -> a.socket(99, SocketDefs.SOCK_DGRAM, 0)));

        int s = a.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        IfReq ifr = new IfReq("lo0");
        a.ioctl(s, IfIoctl.SIOCGIFFLAGS, ifr);
        say("lo0 up " + ((ifr.flags & Ifnet.IFF_UP) != 0) + " loopback " + ((ifr.flags & Ifnet.IFF_LOOPBACK) != 0));
        a.ioctl(s, IfIoctl.SIOCGIFMTU, ifr);
        say("lo0 mtu " + ifr.mtu + " name " + ifr.name);
        say("no such interface " + errno(() -> a.ioctl(s, IfIoctl.SIOCGIFFLAGS, new IfReq("nope9"))));
        a.close(s);

        say("ostype " + a.sysctlRead("kern.ostype"));
        String old = a.sysctlWrite("kern.hostname", "remote-renamed");
        say("hostname was " + old + " now " + b.sysctlRead("kern.hostname"));
        a.sysctlWrite("kern.hostname", old);
        say("read-only " + errno(() -> a.sysctlWrite("kern.ostype", "Linux")));
        say("no such sysctl " + errno(() -> a.sysctlRead("kern.nonesuch")));
        List<SysctlEntry> kern = a.sysctlList("kern");
        say("sysctl -a kern has ostype " + kern.stream().anyMatch(e -> e.name().equals("kern.ostype")
                && e.value().equals("NetBSD") && !e.writable()));
        List<ModStat> mods = a.modstat();
        say("modstat " + mods.stream().map(ModStat::name).sorted().toList());
        say("modstat netinet requires " + mods.stream().filter(m -> m.name().equals("rumpnet_netinet"))
                .findFirst().orElseThrow().requires());
        say("modload unknown " + errno(() -> a.modload("rumpnet_nonesuch")));
        say("modunload unknown " + errno(() -> a.modunload("rumpnet_nonesuch")));

        SyscallArgs args = new SyscallArgs();
        say("syscall(getppid) " + (a.syscall(SyscallNumbers.SYS_getppid, args) == a.getppid()));
        args.i[0] = 0;
        args.o[1] = "kern.ostype";
        a.syscall(SyscallNumbers.SYS___sysctl, args);
        say("syscall(__sysctl) " + args.result);
        say("syscall(499) " + errno(() -> a.syscall(499, new SyscallArgs())));
        return out;
    }
}
