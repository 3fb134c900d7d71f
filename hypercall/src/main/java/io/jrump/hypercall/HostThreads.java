package io.jrump.hypercall;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Platform threads, daemon so that a forgotten kernel never keeps a JVM alive; each one is tracked
 * until it ends, so the kernel can report at halt which of its threads are still running.
 */
final class HostThreads implements HyperThreads {
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Object> curlwp = new ThreadLocal<>();
    private final Thread.UncaughtExceptionHandler onDeath;

    HostThreads(Thread.UncaughtExceptionHandler onDeath) {
        this.onDeath = onDeath;
    }

    @Override
    public HyperThread create(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                curlwp.remove();
                live.remove(Thread.currentThread());
            }
        }, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(onDeath);
        live.add(t);
        t.start();
        HostFutexHash.threadsNow(Thread.activeCount());
        return new Handle(t);
    }

    @Override
    public List<String> liveThreadNames() {
        List<String> names = new ArrayList<>();
        for (Thread t : live) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public void setCurLwp(Object lwp) {
        // set(null), not remove(): a thread that enters the kernel often would otherwise rebuild its
        // ThreadLocal entry, and allocate, on every call.
        curlwp.set(lwp);
    }

    @Override
    public Object curLwp() {
        return curlwp.get();
    }

    /** Package-private so that this package's tests can probe the host thread's state. */
    record Handle(Thread thread) implements HyperThread {
        @Override
        public String name() {
            return thread.getName();
        }

        @Override
        public boolean alive() {
            return thread.isAlive();
        }

        @Override
        public boolean join(long timeoutNanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.timedJoin(thread, timeoutNanos);
            return !thread.isAlive();
        }

        @Override
        public void interrupt() {
            thread.interrupt();
        }
    }
}
