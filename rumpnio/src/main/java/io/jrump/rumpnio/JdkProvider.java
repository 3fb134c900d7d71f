package io.jrump.rumpnio;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JDK's own {@link SelectorProvider}, whatever the JVM-wide one is. A rump provider needs it for what
 * is the host's: UNIX-domain channels, inherited channels, and the channels that the client library and
 * the {@code sockin} component open for themselves (see {@link RumpSelectorProvider#hostChannels}).
 *
 * <p>While the JDK's provider is the JVM-wide one, that is the answer. When this module's provider has
 * taken its place, Java 17 offers no public way to name the JDK's ({@code jdk.nio.Channels} refuses to
 * work under a custom provider); its instance is then read from the static field of
 * {@code sun.nio.ch.DefaultSelectorProvider} through {@code sun.misc.Unsafe}, which the
 * {@code jdk.unsupported} module exports and opens for exactly such uses. Reading a field needs no access
 * to its package, so no {@code --add-opens} flag is required.
 */
final class JdkProvider {
    private JdkProvider() {
    }

    private static final class Holder {
        static final SelectorProvider INSTANCE = find();
    }

    static SelectorProvider get() {
        return Holder.INSTANCE;
    }

    private static SelectorProvider find() {
        SelectorProvider global = SelectorProvider.provider();
        if (global != null && !(global instanceof RumpSelectorProvider)) {
            return global;
        }
        try {
            Class<?> dsp = Class.forName("sun.nio.ch.DefaultSelectorProvider", true, null);
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Method base = unsafeClass.getMethod("staticFieldBase", Field.class);
            Method offset = unsafeClass.getMethod("staticFieldOffset", Field.class);
            Method getObject = unsafeClass.getMethod("getObject", Object.class, long.class);
            for (Field f : dsp.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && SelectorProvider.class.isAssignableFrom(f.getType())) {
                    Object v = getObject.invoke(unsafe, base.invoke(unsafe, f), offset.invoke(unsafe, f));
                    if (v instanceof SelectorProvider p) {
                        return p;
                    }
                }
            }
            throw new NoSuchFieldException("no provider field in " + dsp.getName());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new UnsupportedOperationException("rumpnio: cannot find the JDK's own SelectorProvider under a custom "
                    + "JVM-wide one (" + e + "); host channels (UNIX-domain sockets, a remote kernel's connection) "
                    + "are unavailable", e);
        }
    }
}
