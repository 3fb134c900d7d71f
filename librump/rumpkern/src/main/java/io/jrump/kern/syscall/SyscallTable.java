package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbered syscall table ({@code sysent[]}). Both the local {@link Syscalls} implementation and
 * the remote server dispatch through it, so a program behaves the same in-process and through
 * {@code RUMP_SERVER}. It starts empty; a component fills in the rows it owns when it attaches
 * ({@link #register}, NetBSD's {@code rump_syscall_boot_establish}) and clears them when it detaches.
 * An empty slot is ENOSYS, which is what "this kernel does not link networking" looks like to a
 * program. A handler for a number that has a {@link SyscallRow} must carry that row's name and owning
 * component, so the table cannot drift from what {@link Syscalls} declares; a number without a row
 * (a module's private call) is taken as given.
 */
public final class SyscallTable {
    private final Entry[] entries = new Entry[SyscallNumbers.SYS_MAXSYSCALL];

    /** One slot's contents. */
    public record Entry(int number, String name, String component, SyscallHandler handler) {
    }

    public synchronized void register(int number, String name, String component, SyscallHandler h) {
        if (number <= 0 || number >= entries.length) {
            throw new IllegalArgumentException("syscall number out of range: " + number);
        }
        SyscallRow row = SyscallRow.of(number);
        if (row != null && (!row.name().equals(name) || !row.component().equals(component))) {
            throw new IllegalArgumentException("syscall " + number + " is " + row.name() + " of " + row.component()
                    + " in the table, not " + name + " of " + component);
        }
        Entry old = entries[number];
        if (old != null) {
            throw new IllegalStateException("syscall " + number + " (" + name + ") is already provided by "
                    + old.component());
        }
        entries[number] = new Entry(number, name, component, h);
    }

    /** Empties every slot {@code component} filled. */
    public synchronized void unregisterAll(String component) {
        for (int k = 0; k < entries.length; k++) {
            if (entries[k] != null && entries[k].component().equals(component)) {
                entries[k] = null;
            }
        }
    }

    public Entry entry(int number) {
        return number > 0 && number < entries.length ? entries[number] : null;
    }

    public long invoke(int number, Lwp l, SyscallArgs a) throws ErrnoException {
        Entry e = entry(number);
        if (e == null) {
            throw new ErrnoException(Errno.ENOSYS, "syscall " + number + " is not in this kernel");
        }
        return e.handler().call(l, a);
    }

    /** The table's rows no component has established, in number order: what answers ENOSYS. */
    public synchronized List<SyscallRow> unfilled() {
        List<SyscallRow> l = new ArrayList<>();
        for (SyscallRow r : SyscallRow.all()) {
            if (entries[r.number()] == null) {
                l.add(r);
            }
        }
        return l;
    }

    /** One line for the boot log: how many rows are established, and the rest by owning component. */
    public String fillReport() {
        List<SyscallRow> missing = unfilled();
        StringBuilder b = new StringBuilder("syscalls: ").append(SyscallRow.all().size() - missing.size())
                .append(" of ").append(SyscallRow.all().size()).append(" rows established");
        if (!missing.isEmpty()) {
            java.util.Map<String, List<String>> byComponent = new java.util.TreeMap<>();
            for (SyscallRow r : missing) {
                byComponent.computeIfAbsent(r.component(), c -> new ArrayList<>()).add(r.name());
            }
            b.append("; ENOSYS: ");
            String sep = "";
            for (var e : byComponent.entrySet()) {
                b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
                sep = ", ";
            }
        }
        return b.toString();
    }

    /** Filled slots, in number order. */
    public synchronized List<Entry> entries() {
        List<Entry> l = new ArrayList<>();
        for (Entry e : entries) {
            if (e != null) {
                l.add(e);
            }
        }
        return l;
    }
}
