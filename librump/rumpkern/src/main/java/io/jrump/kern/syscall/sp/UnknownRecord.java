package io.jrump.kern.syscall.sp;

/**
 * Stands in, in an argument slot, for a record whose tag this end has no codec for. Its bytes were
 * length-delimited and skipped, so the connection stays usable; the call fails with EFAULT instead of
 * reaching the kernel with an object it would not recognise.
 */
public record UnknownRecord(String tag) {
}
