package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostHypercallTest {

    @Test
    void panicReturnsAKernelPanicWithTheMessageAndPrintsIt() {
        BufferConsole console = new BufferConsole();
        Hypercall hc = HostHypercall.builder().console(console).environment(Map.of()).build();
        KernelPanic p = hc.panic("vrele: negative ref count");
        assertEquals("vrele: negative ref count", p.getMessage());
        assertEquals(List.of("panic: vrele: negative ref count"), console.lines());
    }

    @Test
    void panicPrintsOnAConsoleStreamToo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Hypercall hc = HostHypercall.builder()
                .consoleStream(new PrintStream(out, true, StandardCharsets.UTF_8)).environment(Map.of()).build();
        hc.panic("mutex_enter: locking against myself");
        assertEquals("panic: mutex_enter: locking against myself" + System.lineSeparator(),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitGoesToTheExitHandler() {
        List<Integer> statuses = new ArrayList<>();
        Hypercall hc = HostHypercall.builder().exitHandler(statuses::add).environment(Map.of()).build();
        hc.exit(3);
        hc.exit(0);
        assertEquals(List.of(3, 0), statuses);
    }

    @Test
    void reportsTheInterfaceVersion() {
        assertEquals(Hypercall.VERSION, HostHypercall.create().version());
    }

    @Test
    void forTestIsDeterministic() {
        HostHypercall a = HostHypercall.forTest(42);
        HostHypercall b = HostHypercall.forTest(42);
        assertInstanceOf(ManualClock.class, a.clock());
        assertInstanceOf(BufferConsole.class, a.console());
        assertEquals(a.clock().monotonicNanos(), b.clock().monotonicNanos());
        assertEquals(a.clock().wallNanos(), b.clock().wallNanos());
        assertEquals(a.random().nextLong(), b.random().nextLong());
        assertNotEquals(HostHypercall.forTest(43).random().nextLong(), HostHypercall.forTest(42).random().nextLong());
        a.panic("x");
        assertTrue(((BufferConsole) a.console()).lines().contains("panic: x"));
    }
}
