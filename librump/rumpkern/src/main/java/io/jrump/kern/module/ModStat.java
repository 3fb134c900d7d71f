package io.jrump.kern.module;

import java.util.List;

/** One line of {@code modstat(8)}: a component attached to the kernel, builtin at boot or loaded later. */
public record ModStat(String name, String level, String source, int refs, List<String> requires, String description) {
}
