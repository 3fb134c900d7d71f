package io.jrump.rumpclient;

import io.jrump.hypercall.Errno;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts {@link RemoteProbe} in another JVM. The client's class path (the client library, the kernel
 * API and the hypercall jar, Guava, the probe) is copied into a world-readable directory first, so that the
 * child can run as another user, who cannot read the build's own directories.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    static String classPath(Path into) throws IOException {
        Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (Class<?> c : List.of(RumpClient.class, Syscalls.class, Errno.class, RemoteProbe.class,
                com.google.common.net.HostAndPort.class)) {
            Path src;
            try {
                src = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
            Path dst = into.resolve("cp" + n++ + (Files.isDirectory(src) ? "" : ".jar"));
            copy(src, dst);
            entries.add(dst.toString());
        }
        return String.join(":", entries);
    }

    private static void copy(Path src, Path dst) throws IOException {
        try (Stream<Path> all = Files.walk(src)) {
            all.forEach(p -> {
                Path t = dst.resolve(src.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, t);
                        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The probe as {@code prefix} (for example a setpriv command line) would run it. */
    static ProcessBuilder probe(List<String> prefix, String cp, String mode, String url) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java(), "-Xshare:off", "-cp", cp, RemoteProbe.class.getName(), mode, url));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }
}
