package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_vnops on ext2 (an image mke2fs made, mounted from a block device). */
@RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
class Ext2VnopsTest extends VnopsSuite {
    @Override
    MountFactory fs() {
        return Ext2MountFactory.INSTANCE;
    }
}
