package io.jrump.rumpnio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started with this test's class path: the only way to test a program that takes its channels
 * from the JVM-wide provider, which one JVM chooses once. Its output lines are collected as they come.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    ChildJvm(List<String> jvmArgs, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output lost: " + e + ")");
            }
        }, "child output");
        reader.start();
    }

    /** The child's lines so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits (with the probes' patience) for a line matching {@code p}. */
    String awaitLine(Predicate<String> p) {
        io.jrump.testkit.Probes.await("a line from the child (so far: " + lines() + ")",
                () -> lines().stream().anyMatch(p) || !process.isAlive() && !reader.isAlive());
        return lines().stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("child ended: " + lines()));
    }

    /** Waits for the child to end and returns its exit code. */
    int waitFor() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child still running: " + lines());
        }
        reader.join();
        return process.exitValue();
    }

    /** Ends the child's standard input, which tells the programs here to stop. */
    void closeInput() throws IOException {
        OutputStream in = process.getOutputStream();
        in.close();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
