package io.jrump.vfs.etfs;

import io.jrump.hypercall.HyperFile;

/**
 * An etfs vnode's data: its node and, for a regular file, the open host file. A registered file's host
 * file belongs to the registration ({@code shared}); a file inside a registered directory is opened
 * when its vnode is made and closed when the vnode is reclaimed.
 */
final class EtfsFile {
    final EtfsNode node;
    final HyperFile file;
    final boolean writable;
    final boolean shared;
    final long rdev;

    EtfsFile(EtfsNode node, HyperFile file, boolean writable, boolean shared, long rdev) {
        this.node = node;
        this.file = file;
        this.writable = writable;
        this.shared = shared;
        this.rdev = rdev;
    }
}
