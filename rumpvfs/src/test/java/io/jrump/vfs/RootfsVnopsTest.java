package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_vnops in the root rumpfs the kernel boots with. */
@RumpKernel(components = "rumpvfs")
class RootfsVnopsTest extends VnopsSuite {
    @Override
    MountFactory fs() {
        return MountFactory.ROOT_RUMPFS;
    }
}
