package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbered syscall table ({@code sysent[]}). Both the local {@link Syscalls} implementation and
 * the remote server dispatch through it, so a program behaves the same in-process and through
 * {@code RUMP_SERVER}. A component fills in the numbers it implements when it attaches and clears them
 * when it detaches; an empty slot is ENOSYS, which is what "this kernel does not link networking"
 * looks like to a program.
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
