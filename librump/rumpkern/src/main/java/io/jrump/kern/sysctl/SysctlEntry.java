package io.jrump.kern.sysctl;

/** A sysctl leaf as {@code sysctl -a} lists it. */
public record SysctlEntry(String name, SysctlType type, String value, boolean writable, String description) {
}
