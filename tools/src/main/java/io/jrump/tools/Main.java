package io.jrump.tools;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The launcher of the rump.* programs: {@code Main NAME ARGS...} connects to the kernel named by
 * {@code RUMP_SERVER} and runs program NAME in it, printing one clear line when the variable is unset,
 * the server is gone, or the kernel refuses the call.
 */
public final class Main {
    private Main() {
    }

    static Map<String, Tool> tools() {
        Map<String, Tool> m = new TreeMap<>();
        for (Tool t : List.of(new Ifconfig(), new Ping(), new Netstat(), new SysctlTool(), new RouteTool(), new ArpTool(),
                new Sockstat(), new Fstat(), new Ps(),
                new Modtools.Modstat(), new Modtools.Modload(), new Modtools.Modunload(),
                new Modtools.Halt(), new Nc(System.in))) {
            m.put(t.name(), t);
        }
        for (Tool t : fsTools()) {
            m.put(t.name(), t);
        }
        return m;
    }

    /** The fs-utils programs over the file syscalls. */
    private static List<Tool> fsTools() {
        List<Tool> l = new java.util.ArrayList<>(FileTools.all());
        l.addAll(MountTools.all());
        l.add(new Ls());
        l.add(new StatTool());
        return l;
    }

    public static void main(String[] args) {
        System.exit(launch(args, System.out, System.err));
    }

    static int launch(String[] args, PrintStream out, PrintStream err) {
        Map<String, Tool> tools = tools();
        if (args.length == 0 || !tools.containsKey(args[0].replaceFirst("^rump\\.", ""))) {
            err.println("usage: Main rump.NAME [args]; NAME is one of " + String.join(" ", tools.keySet()));
            return 1;
        }
        Tool t = tools.get(args[0].replaceFirst("^rump\\.", ""));
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        Syscalls sys;
        try {
            sys = Remote.connect("rump." + t.name());
        } catch (Remote.ConnectException e) {
            err.println("rump." + t.name() + ": " + e.getMessage());
            return 1;
        }
        try {
            return run(t, sys, rest, out, err);
        } finally {
            Remote.close(sys);
        }
    }

    /** Runs a tool and turns its failures into one line and an exit status, as the NetBSD programs do. */
    public static int run(Tool t, Syscalls sys, String[] args, PrintStream out, PrintStream err) {
        try {
            return t.run(sys, args, out, err);
        } catch (Tool.UsageException e) {
            err.println("rump." + t.name() + ": " + e.getMessage());
            err.println(t.usage());
            return 1;
        } catch (ErrnoException e) {
            err.println("rump." + t.name() + ": " + (e.getMessage().contains(": ") ? e.getMessage().substring(
                    e.getMessage().indexOf(": ") + 2) + " (" + Errno.message(e.errno()) + ")" : Errno.message(e.errno())));
            return 1;
        } catch (RuntimeException e) {
            err.println("rump." + t.name() + ": " + e.getMessage());
            return 1;
        }
    }
}
