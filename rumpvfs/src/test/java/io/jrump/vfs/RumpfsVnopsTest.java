package io.jrump.vfs;

import io.jrump.testkit.RumpKernel;

/** t_vnops on rumpfs mounted afresh. */
@RumpKernel(components = "rumpvfs")
class RumpfsVnopsTest extends VnopsSuite {
    @Override
    MountFactory fs() {
        return MountFactory.RUMPFS;
    }
}
