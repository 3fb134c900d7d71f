package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_io in the root rumpfs. */
@RumpKernel(components = "rumpvfs")
class RootfsIoTest extends IoSuite {
    @Override
    MountFactory fs() {
        return MountFactory.ROOT_RUMPFS;
    }
}
