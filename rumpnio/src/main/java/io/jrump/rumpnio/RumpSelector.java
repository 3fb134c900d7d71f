package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Selector} built on the rump kernel's {@code poll(2)}: one thread selects over any number of
 * channels (no thread per channel), level-triggered, as the JDK's {@code poll} selector does.
 *
 * <p>The poll array is kept between selections and reused: each key owns one {@link PollFd}, which
 * sits at a fixed slot until the key is deregistered (the last entry then moves into its place), and
 * unused slots at the end hold a placeholder with descriptor -1, which {@code poll} skips. A selection
 * therefore makes no garbage in-process. A key with an empty interest set keeps its slot with
 * descriptor -1, so that a hung-up connection nobody is interested in does not end every poll at once.
 * Registrations and interest changes made while another thread selects are queued and applied at the
 * start of the next selection, as the JDK's selectors do.
 *
 * <p>{@link #wakeup()} sends a datagram to the selector's {@link WakeupSocket} (slot 0 of every poll),
 * but only while a selection is in the kernel or about to enter it; otherwise it only sets the flag
 * that makes the next selection return at once. A program that calls {@code wakeup} often (Netty does
 * on every task it hands to an event loop) thus pays a system call only when the selector sleeps.
 */
final class RumpSelector extends AbstractSelector {
    private static final int MIN_CAPACITY = 16;

    private final Syscalls sys;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new UngrowableSet(selected);
    private final Object updateLock = new Object();
    private ArrayDeque<RumpSelectionKey> updates = new ArrayDeque<>();
    private ArrayDeque<RumpSelectionKey> applying = new ArrayDeque<>();
    /** The poll set, touched only by the selecting thread (under this selector's monitor). */
    private PollFd[] fds;
    private RumpSelectionKey[] owners;
    private int nfds;
    private final PollFd unused = new PollFd(-1, 0);
    private final WakeupSocket wake;
    private final Object interruptLock = new Object();
    private boolean interruptTriggered;
    private boolean polling;
    private boolean sent;

    RumpSelector(RumpSelectorProvider provider) throws IOException {
        super(provider);
        this.sys = provider.syscalls();
        this.wake = new WakeupSocket(sys);
        this.fds = new PollFd[MIN_CAPACITY];
        this.owners = new RumpSelectionKey[MIN_CAPACITY];
        Arrays.fill(fds, unused);
        fds[0] = new PollFd(wake.fd(), Poll.POLLIN);
        nfds = 1;
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof SelChannel sc) || sc.rumpProvider().syscalls() != sys) {
            throw new IllegalSelectorException();
        }
        RumpSelectionKey k = new RumpSelectionKey(sc, this);
        k.attach(att);
        synchronized (updateLock) {
            ensureOpen();
            keys.add(k);
        }
        k.interestOps(ops);
        return k;
    }

    /** Queues {@code k} for the next selection to re-read its interest set. */
    void interestChanged(RumpSelectionKey k) {
        synchronized (updateLock) {
            updates.addLast(k);
        }
    }

    @Override
    public int selectNow() throws IOException {
        return select0(0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return select0(timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return select0(-1);
    }

    /** One selection: {@code timeoutMs} 0 returns at once, negative waits without limit. */
    private int select0(long timeoutMs) throws IOException {
        synchronized (this) {
            ensureOpen();
            synchronized (publicSelected) {
                processCancelled();
                processUpdates();
                int to = timeoutMs < 0 ? -1 : (int) Math.min(timeoutMs, Integer.MAX_VALUE);
                boolean consumed = false;
                synchronized (interruptLock) {
                    if (interruptTriggered) {
                        to = 0;
                        consumed = true;
                    } else if (to != 0) {
                        polling = true;
                    }
                }
                boolean blocking = to != 0;
                int ready;
                try {
                    if (blocking) {
                        begin();
                    }
                    ready = poll(to);
                } finally {
                    if (blocking) {
                        end();
                    }
                    synchronized (interruptLock) {
                        polling = false;
                        if (sent) {
                            sent = false;
                            consumed = true;
                        }
                        if (consumed) {
                            interruptTriggered = false;
                        }
                    }
                }
                processCancelled();
                return processReady(ready);
            }
        }
    }

    private int poll(int timeoutMs) throws IOException {
        try {
            return sys.poll(fds, timeoutMs);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINTR) {
                for (int i = 0; i < nfds; i++) {
                    fds[i].revents = 0;
                }
                return 0;
            }
            throw new IOException("poll: " + Errors.message(e.errno()));
        }
    }

    /** Moves what the poll found into the keys; returns how many keys' ready sets changed. */
    private int processReady(int ready) {
        if (ready <= 0) {
            return 0;
        }
        if (fds[0].revents != 0) {
            wake.drain();
            ready--;
        }
        int updated = 0;
        for (int i = 1; i < nfds && ready > 0; i++) {
            int rev = fds[i].revents;
            if (rev == 0) {
                continue;
            }
            ready--;
            RumpSelectionKey k = owners[i];
            if (!k.isValid()) {
                continue;
            }
            int interest = k.interest();
            int ops = k.chan.readyOps(rev, interest) & interest;
            if (ops == 0) {
                continue;
            }
            if (selected.contains(k)) {
                int old = k.readyOps;
                if ((old | ops) != old) {
                    k.readyOps = old | ops;
                    updated++;
                }
            } else {
                k.readyOps = ops;
                selected.add(k);
                updated++;
            }
        }
        return updated;
    }

    private void processUpdates() {
        synchronized (updateLock) {
            if (updates.isEmpty()) {
                return;
            }
            ArrayDeque<RumpSelectionKey> t = updates;
            updates = applying;
            applying = t;
        }
        RumpSelectionKey k;
        while ((k = applying.pollFirst()) != null) {
            if (!k.isValid()) {
                continue;
            }
            if (k.slot < 0) {
                addSlot(k);
            }
            int events = k.chan.pollEvents(k.interest());
            k.pollFd.events = events;
            k.pollFd.fd = events == 0 ? -1 : k.chan.fd();
        }
    }

    private void addSlot(RumpSelectionKey k) {
        if (nfds == fds.length) {
            int cap = fds.length * 2;
            fds = Arrays.copyOf(fds, cap);
            owners = Arrays.copyOf(owners, cap);
            Arrays.fill(fds, nfds, cap, unused);
        }
        fds[nfds] = k.pollFd;
        owners[nfds] = k;
        k.slot = nfds++;
    }

    private void removeSlot(RumpSelectionKey k) {
        int i = k.slot;
        if (i < 0) {
            return;
        }
        int last = nfds - 1;
        if (i != last) {
            fds[i] = fds[last];
            owners[i] = owners[last];
            owners[i].slot = i;
        }
        fds[last] = unused;
        owners[last] = null;
        nfds--;
        k.slot = -1;
        if (fds.length > MIN_CAPACITY && nfds < fds.length / 4) {
            int cap = Math.max(MIN_CAPACITY, fds.length / 2);
            fds = Arrays.copyOf(fds, cap);
            owners = Arrays.copyOf(owners, cap);
        }
    }

    /** Deregisters the cancelled keys; a closed channel whose last key this was closes its descriptor. */
    private void processCancelled() {
        Set<SelectionKey> cks = cancelledKeys();
        synchronized (cks) {
            if (cks.isEmpty()) {
                return;
            }
            for (Iterator<SelectionKey> it = cks.iterator(); it.hasNext(); ) {
                RumpSelectionKey k = (RumpSelectionKey) it.next();
                it.remove();
                drop(k);
            }
        }
    }

    private void drop(RumpSelectionKey k) {
        removeSlot(k);
        keys.remove(k);
        selected.remove(k);
        deregister(k);
        k.chan.kill();
    }

    @Override
    public Selector wakeup() {
        synchronized (interruptLock) {
            if (!interruptTriggered) {
                interruptTriggered = true;
                if (polling) {
                    wake.send();
                    sent = true;
                }
            }
        }
        return this;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelected) {
                synchronized (updateLock) {
                    updates.clear();
                }
                processCancelled();
                for (SelectionKey sk : keys.toArray(new SelectionKey[0])) {
                    drop((RumpSelectionKey) sk);
                }
                wake.close();
            }
        }
    }

    /** A view of the selected-key set that allows removal but not addition, as the specification requires. */
    private static final class UngrowableSet extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> s;

        UngrowableSet(Set<SelectionKey> s) {
            this.s = s;
        }

        @Override
        public int size() {
            return s.size();
        }

        @Override
        public boolean isEmpty() {
            return s.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return s.contains(o);
        }

        @Override
        public boolean remove(Object o) {
            return s.remove(o);
        }

        @Override
        public void clear() {
            s.clear();
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return s.iterator();
        }

        @Override
        public boolean add(SelectionKey k) {
            throw new UnsupportedOperationException();
        }
    }
}
