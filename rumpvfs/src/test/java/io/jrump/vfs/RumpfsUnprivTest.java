package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_unpriv on rumpfs mounted afresh. */
@RumpKernel(components = "rumpvfs")
class RumpfsUnprivTest extends UnprivSuite {
    @Override
    MountFactory fs() {
        return MountFactory.RUMPFS;
    }
}
