package io.jrump.kern.sysctl;

/** {@code CTLTYPE_*}: what a sysctl node holds. */
public enum SysctlType {
    NODE, INT, QUAD, BOOL, STRING
}
