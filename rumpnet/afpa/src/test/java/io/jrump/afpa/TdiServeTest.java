package io.jrump.afpa;

/** Tdi mode (the Windows 2000 seed) through the same scenarios as hook mode. */
class TdiServeTest extends HookServeTest {
    @Override
    String mode() {
        return "tdi";
    }
}
