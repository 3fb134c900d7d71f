package io.jrump.kern.sysctl;

/** {@code CTLTYPE_*}: what a sysctl node holds. */
public enum SysctlType {
    NODE, INT, QUAD, BOOL, STRING,
    /**
     * An array of fixed-size records ({@code CTLTYPE_STRUCT}: a pcb list, the socket table), read whole
     * in binary by {@link Sysctl#get}; see {@link SysctlRecords}.
     */
    STRUCT
}
