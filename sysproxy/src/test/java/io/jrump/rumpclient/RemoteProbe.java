package io.jrump.rumpclient;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import java.nio.ByteBuffer;

/**
 * A client program run in a child JVM by the tests that need another host process: another uid
 * ({@code ids}), or a process to kill while it is blocked in the kernel ({@code block}). It prints one
 * line per fact, for the test to parse.
 */
public final class RemoteProbe {
    private RemoteProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (RumpClient c = RumpClient.connect(args[1], "probe")) {
            switch (args[0]) {
                case "ids" -> {
                    System.out.println("IDS " + c.getuid() + " " + c.geteuid() + " " + c.getgid() + " " + c.getegid()
                            + " " + c.getpid());
                    String w;
                    try {
                        c.sysctlWrite("kern.hostname", "probe");
                        w = "ok";
                    } catch (ErrnoException e) {
                        w = Errno.name(e.errno());
                    }
                    System.out.println("SYSCTLWRITE " + w);
                }
                case "block" -> {
                    int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                    c.bind(fd, SockAddr.in("127.0.0.1", 0));
                    System.out.println("READY " + c.getpid());
                    System.out.flush();
                    c.recvfrom(fd, ByteBuffer.allocate(16), 0, null);
                    System.out.println("UNBLOCKED");
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }
}
