package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostParamsTest {
    private static final Map<String, String> ENV = Map.of(
            "RUMP_VERBOSE", "0",
            "RUMP_MEMLIMIT", "1048576",
            "HOME", "/home/user",
            "HOSTNAME", "envhost");

    @Test
    void anExplicitParamWinsOverTheEnvironment() {
        HyperParams p = HostHypercall.builder().environment(ENV).param("RUMP_VERBOSE", "1").build().params();
        assertEquals(Optional.of("1"), p.get("RUMP_VERBOSE"));
    }

    @Test
    void rumpNamesComeFromTheGivenEnvironment() {
        HyperParams p = HostHypercall.builder().environment(ENV).build().params();
        assertEquals(Optional.of("1048576"), p.get("RUMP_MEMLIMIT"));
        assertEquals(Optional.of("0"), p.get("RUMP_VERBOSE"));
        assertEquals(Optional.empty(), p.get("RUMP_NOT_SET"));
        assertEquals(Optional.empty(), p.get("HOME"), "only RUMP_* names are taken from the environment");
    }

    @Test
    void theGivenEnvironmentReplacesTheHostOne() {
        HyperParams p = HostHypercall.builder().environment(Map.of()).build().params();
        for (String name : System.getenv().keySet()) {
            if (name.startsWith("RUMP_")) {
                assertEquals(Optional.empty(), p.get(name), name + " leaked from the host environment");
            }
        }
        assertEquals(Optional.empty(), p.get("RUMP_VERBOSE"));
    }

    @Test
    void laterChangesToTheCallersMapDoNotLeakIn() {
        Map<String, String> env = new HashMap<>(ENV);
        HyperParams p = HostHypercall.builder().environment(env).build().params();
        env.put("RUMP_LATE", "x");
        assertEquals(Optional.empty(), p.get("RUMP_LATE"));
    }

    @Test
    void ncpuIsAlwaysPresentAndAnExplicitValueWins() {
        HyperParams host = HostHypercall.builder().environment(Map.of()).build().params();
        int ncpu = Integer.parseInt(host.get(HyperParams.NCPU).orElseThrow());
        assertTrue(ncpu >= 1, "ncpu " + ncpu);
        HyperParams given = HostHypercall.builder().environment(Map.of()).param(HyperParams.NCPU, "3").build().params();
        assertEquals(Optional.of("3"), given.get(HyperParams.NCPU));
    }

    @Test
    void hostnameIsPresent() {
        HyperParams fromEnv = HostHypercall.builder().environment(ENV).build().params();
        assertEquals(Optional.of("envhost"), fromEnv.get(HyperParams.HOSTNAME));
        HyperParams fromHost = HostHypercall.builder().environment(Map.of()).build().params();
        assertTrue(!fromHost.get(HyperParams.HOSTNAME).orElseThrow().isBlank());
        HyperParams given = HostHypercall.builder().environment(ENV).param(HyperParams.HOSTNAME, "rumphost").build().params();
        assertEquals(Optional.of("rumphost"), given.get(HyperParams.HOSTNAME));
    }

    @Test
    void unknownNamesAreEmpty() {
        HyperParams p = HostHypercall.builder().environment(ENV).build().params();
        assertEquals(Optional.empty(), p.get("_RUMPUSER_NO_SUCH_PARAM"));
        assertEquals(Optional.empty(), p.get("whatever"));
        HyperParams given = HostHypercall.builder().environment(Map.of()).param("custom", "v").build().params();
        assertEquals(Optional.of("v"), given.get("custom"), "an explicit parameter of any name is returned");
    }
}
