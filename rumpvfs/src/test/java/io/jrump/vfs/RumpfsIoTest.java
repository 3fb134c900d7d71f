package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_io on rumpfs mounted afresh. */
@RumpKernel(components = "rumpvfs")
class RumpfsIoTest extends IoSuite {
    @Override
    MountFactory fs() {
        return MountFactory.RUMPFS;
    }
}
