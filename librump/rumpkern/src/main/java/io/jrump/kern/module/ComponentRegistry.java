package io.jrump.kern.module;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The components a class path links, by name, and the rules that turn a list of wanted names into an
 * attach order: requirements pulled in, unknown names and conflicts refused with a message that names
 * them. A registry is immutable once built and may be shared by many kernels; booting does not scan
 * the class path again if the caller passes one in.
 */
public final class ComponentRegistry {
    private final Map<String, Component> byName;

    private ComponentRegistry(Map<String, Component> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** The components that {@code loader}'s class path provides. */
    public static ComponentRegistry load(ClassLoader loader) throws BootException {
        Map<String, Component> map = new TreeMap<>();
        try {
            for (Component c : ServiceLoader.load(Component.class, loader)) {
                Component prev = map.putIfAbsent(c.name(), c);
                if (prev != null && prev.getClass() != c.getClass()) {
                    throw new BootException("component '" + c.name() + "' is linked twice: "
                            + prev.getClass().getName() + " and " + c.getClass().getName());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new BootException("cannot load a component: " + e.getMessage(), e);
        }
        return new ComponentRegistry(map);
    }

    /** The components of the class path that loaded this class. */
    public static ComponentRegistry load() throws BootException {
        return load(ComponentRegistry.class.getClassLoader());
    }

    /** A registry of exactly these components, for tests and embedders that link by hand. */
    public static ComponentRegistry of(Collection<? extends Component> components) throws BootException {
        Map<String, Component> map = new TreeMap<>();
        for (Component c : components) {
            if (map.putIfAbsent(c.name(), c) != null) {
                throw new BootException("component '" + c.name() + "' is given twice");
            }
        }
        return new ComponentRegistry(map);
    }

    /** A registry with the components of this one and the given ones (the given ones win on a name clash). */
    public ComponentRegistry with(Collection<? extends Component> extra) {
        Map<String, Component> map = new TreeMap<>(byName);
        for (Component c : extra) {
            map.put(c.name(), c);
        }
        return new ComponentRegistry(map);
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public Component get(String name) {
        return byName.get(name);
    }

    /**
     * Resolves {@code wanted} (plus their requirements, transitively) into attach order, skipping the
     * names in {@code present} (already attached, for module loading). The order is by
     * {@link ComponentLevel}, except that a requirement always attaches before what requires it; ties
     * are broken by name so that every boot attaches in the same order.
     *
     * @throws BootException naming an unknown component, a missing requirement (and who needs it), a
     *     requirement cycle, or two components that provide the same capability
     */
    public List<Component> resolve(Collection<String> wanted, Set<String> present) throws BootException {
        Map<String, Component> chosen = new HashMap<>();
        Map<String, String> neededBy = new HashMap<>();
        List<String> todo = new ArrayList<>(new LinkedHashSet<>(wanted));
        for (String w : todo) {
            neededBy.put(w, null);
        }
        for (int i = 0; i < todo.size(); i++) {
            String name = todo.get(i);
            if (present.contains(name) || chosen.containsKey(name)) {
                continue;
            }
            Component c = byName.get(name);
            if (c == null) {
                String by = neededBy.get(name);
                if (by == null) {
                    throw new BootException("unknown component '" + name + "'; linked components: "
                            + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet())));
                }
                throw new BootException("component '" + by + "' requires '" + name
                        + "', which is not linked (no jar on the class path provides it)");
            }
            chosen.put(name, c);
            for (String r : c.requires()) {
                if (!present.contains(r) && !chosen.containsKey(r)) {
                    neededBy.putIfAbsent(r, name);
                    todo.add(r);
                }
            }
        }
        return order(chosen);
    }

    /** Checks that no two components among {@code all} provide the same capability. */
    public static void checkConflicts(Collection<Component> all) throws BootException {
        Map<String, String> providers = new TreeMap<>();
        for (Component c : sortedByName(all)) {
            for (String cap : c.provides()) {
                String other = providers.putIfAbsent(cap, c.name());
                if (other != null) {
                    throw new BootException("components '" + other + "' and '" + c.name()
                            + "' both provide " + cap + "; a kernel can link only one of them");
                }
            }
        }
    }

    private static List<Component> sortedByName(Collection<Component> all) {
        List<Component> l = new ArrayList<>(all);
        l.sort((a, b) -> a.name().compareTo(b.name()));
        return l;
    }

    private static List<Component> order(Map<String, Component> chosen) throws BootException {
        List<Component> out = new ArrayList<>(chosen.size());
        Set<String> done = new HashSet<>();
        List<Component> pending = sortedByName(chosen.values());
        while (!pending.isEmpty()) {
            Component next = null;
            for (Component c : pending) {
                boolean ready = true;
                for (String r : c.requires()) {
                    if (chosen.containsKey(r) && !done.contains(r)) {
                        ready = false;
                        break;
                    }
                }
                if (ready && (next == null || c.level().compareTo(next.level()) < 0)) {
                    next = c;
                }
            }
            if (next == null) {
                List<String> names = new ArrayList<>();
                for (Component c : pending) {
                    names.add(c.name());
                }
                throw new BootException("components require each other in a cycle: " + String.join(", ", names));
            }
            out.add(next);
            done.add(next.name());
            pending.remove(next);
        }
        return out;
    }
}
