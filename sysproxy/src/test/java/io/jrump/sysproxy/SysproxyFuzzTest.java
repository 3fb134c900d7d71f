package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.Inbound;
import io.jrump.kern.syscall.sp.InboundDecoder;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.WireReader;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Proc;
import io.jrump.rumpclient.RumpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer fuzz targets for the sysproxy decoders (ARCHITECTURE.md section 10). Without {@code JAZZER_FUZZ}
 * they run as regression tests over the seeds in
 * {@code src/test/resources/io/jrump/sysproxy/SysproxyFuzzTestInputs/<method>/} (well-formed streams from
 * {@link FuzzStreams}) and an empty input. The property: whatever bytes a peer sends, decoding ends in a
 * frame, a clean end of stream, or a {@link ProtocolException}, never another exception. Two seeded
 * mutation tests add the same property for thousands of corrupted streams in every build, one of them
 * against a live server, which must keep serving and leave no process behind.
 */
class SysproxyFuzzTest {
    private final ArgCodecs codecs = ArgCodecs.standard();

    /** The server's side: a client's stream through the frame reader and request decoder. */
    @FuzzTest(maxDuration = "30s")
    void serverStream(byte[] data) {
        InboundDecoder d = new InboundDecoder(new FrameReader(Channels.newChannel(new ByteArrayInputStream(data)), Protocol.MAX_REQUEST, 64),
                codecs);
        Inbound in = new Inbound();
        try {
            while (d.next(in) >= 0) {
                assertTrue(in.type >= Protocol.T_HANDSHAKE && in.type <= Protocol.T_PREFORK);
            }
        } catch (ProtocolException expected) {
            assertNotNull(expected.getMessage());
        } catch (IOException e) {
            fail("only ProtocolException may escape", e);
        }
    }

    /** The client's side: a server's stream of replies applied to a call's objects. */
    @FuzzTest(maxDuration = "30s")
    void clientReplies(byte[] data) {
        FrameReader frames = new FrameReader(Channels.newChannel(new ByteArrayInputStream(data)), Protocol.MAX_REPLY, 64);
        try {
            WireReader r;
            while ((r = frames.next()) != null) {
                r.u8("type");
                r.i32("reqno");
                ReplyFrame.read(r, new ReplyFrame.Target() {
                    @Override
                    public void ok(long ret) {
                    }

                    @Override
                    public void back(int slot, Object value) {
                    }

                    @Override
                    public void backBytes(int slot, WireReader rr, int n) throws ProtocolException {
                        rr.copyTo(ByteBuffer.allocate(n), 0, n, "bytes");
                    }

                    @Override
                    public void result(Object value) {
                    }

                    @Override
                    public void error(int errno, String detail) {
                    }
                }, codecs);
            }
        } catch (ProtocolException expected) {
            assertNotNull(expected.getMessage());
        } catch (IOException e) {
            fail("only ProtocolException may escape", e);
        }
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            case 2 -> {
                int at = rnd.nextInt(b.length);
                b[at] = (byte) (b[at] ^ (1 << rnd.nextInt(8)));
            }
            default -> {
                int at = rnd.nextInt(b.length);
                byte[] ins = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(ins);
                byte[] n = new byte[b.length + ins.length];
                System.arraycopy(b, 0, n, 0, at);
                System.arraycopy(ins, 0, n, at, ins.length);
                System.arraycopy(b, at, n, at + ins.length, b.length - at);
                b = n;
            }
        }
        return b;
    }

    @Test
    void mutatedStreamsOnlyEverFailAsProtocolErrors() throws Exception {
        Random rnd = new Random(4);
        List<byte[]> seeds = new ArrayList<>(FuzzStreams.clientStreams());
        List<byte[]> replies = FuzzStreams.replyStreams();
        for (int k = 0; k < 20000; k++) {
            serverStream(mutate(seeds.get(k % seeds.size()), rnd));
            clientReplies(mutate(replies.get(k % replies.size()), rnd));
        }
    }

    /**
     * Corrupted streams sent to a running server by an unprivileged client (so that a mutated call cannot
     * halt the kernel or change its configuration): the server survives, a bystander keeps working, no
     * process is left once the connections are gone, and whatever arguments the mutations made, neither
     * the server's log nor the kernel's console shows an exception: a client's bad arguments are an
     * errno, and its bad frames a logged protocol error.
     */
    @Test
    void liveServerSurvivesMutatedStreams(@TempDir Path dir) throws Exception {
        BufferConsole console = new BufferConsole();
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpnet_netinet").hostname("fuzzed")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(console).build()).build());
        List<String> logs = new CopyOnWriteArrayList<>();
        CredPolicy unprivileged = CredPolicy.everyone(new Cred(4242, 4242, new int[0]));
        Path sock = dir.resolve("sock");
        try (RumpServer s = RumpServer.builder(k).url("unix://" + sock).credPolicy(unprivileged).log(logs::add).start();
             RumpClient bystander = RumpClient.connect(s.url(), "bystander")) {
            Random rnd = new Random(7);
            List<byte[]> seeds = FuzzStreams.clientStreams();
            for (int n = 0; n < 300; n++) {
                try (RawClient raw = new RawClient(sock)) {
                    raw.send(mutate(seeds.get(n % seeds.size()), rnd));
                    raw.ch.shutdownOutput();
                    raw.closedByServer();
                }
            }
            Probe.await(() -> s.connectionCount() <= 1, "every mutated connection ended");
            assertEquals(1, s.connectionCount(), "every mutated connection ended");
            assertEquals(List.of(0, 1, bystander.pid()), k.procs().stream().map(Proc::pid).toList());
            assertEquals(bystander.pid(), bystander.getpid());
            assertEquals("NetBSD", bystander.sysctlRead("kern.ostype"));
            assertFalse(k.proc(bystander.pid()).cred().isRoot());
            assertFalse(logs.isEmpty(), "bad frames were logged");
        } finally {
            k.halt();
        }
        assertEquals(List.of(), logs.stream().filter(l -> l.contains("threw") || l.contains("Exception")
                || l.contains("server error")).toList(), "no exception in the server's log");
        assertFalse(console.text().contains("Exception") || console.text().contains("died"), console.text());
    }
}
