package io.jrump.rumpnio;

/** How a thread of a rump channel or selector looks while it sleeps in the kernel's {@code poll}. */
final class RumpThreads {
    private RumpThreads() {
    }

    /** Whether {@code t} sleeps in {@code poll} (in-process: {@code SelInfo.Waiter.sleep}). */
    static boolean inPoll(Thread t) {
        Thread.State s = t.getState();
        if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals("io.jrump.kern.file.SelInfo$Waiter") && f.getMethodName().equals("sleep")) {
                return true;
            }
        }
        return false;
    }
}
