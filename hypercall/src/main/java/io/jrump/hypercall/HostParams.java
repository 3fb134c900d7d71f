package io.jrump.hypercall;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Parameters from an explicit map first, then from the host: {@code RUMP_*} from the environment,
 * the CPU count and the platform from the JVM, the host name from the kernel's UTS name.
 */
final class HostParams implements HyperParams {
    private final Map<String, String> given;
    private final Map<String, String> environment;

    HostParams(Map<String, String> given, Map<String, String> environment) {
        this.given = Map.copyOf(given);
        this.environment = environment;
    }

    @Override
    public Optional<String> get(String name) {
        String v = given.get(name);
        if (v != null) {
            return Optional.of(v);
        }
        if (name.startsWith("RUMP_")) {
            return Optional.ofNullable(environment.get(name));
        }
        if (NCPU.equals(name)) {
            return Optional.of(Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        if (HOSTNAME.equals(name)) {
            return Optional.of(hostName());
        }
        if (PLATFORM.equals(name)) {
            return Optional.of("Java " + Runtime.version().feature());
        }
        return Optional.empty();
    }

    private String hostName() {
        String env = environment.get("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            String s = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | SecurityException e) {
            // not Linux, or not readable: fall through to a neutral name
        }
        return "rump";
    }
}
