package io.jrump.vfs;

/**
 * Where a file system suite runs: a fresh file system made ready for the test, named by the directory
 * it is reached at, so that the same suites run against every file system the kernel gets.
 */
interface MountFactory {
    /** Makes the file system and returns the path of its root. */
    String prepare(Harness h) throws Exception;

    /** Whether the path is a mount point that {@code unmount} applies to. */
    default boolean unmountable() {
        return true;
    }

    /** rumpfs mounted afresh on {@code /mnt} ({@code mount -t rumpfs}). */
    MountFactory RUMPFS = h -> {
        Harness.P r = h.root();
        r.mkdir("/mnt", 0755);
        h.vfs.mount(r.l, "rumpfs", "/mnt", 0, null);
        return "/mnt";
    };

    /** A directory in the root rumpfs: the root file system the kernel boots with. */
    MountFactory ROOT_RUMPFS = new MountFactory() {
        @Override
        public String prepare(Harness h) throws Exception {
            h.root().mkdir("/fs", 0755);
            return "/fs";
        }

        @Override
        public boolean unmountable() {
            return false;
        }
    };
}
