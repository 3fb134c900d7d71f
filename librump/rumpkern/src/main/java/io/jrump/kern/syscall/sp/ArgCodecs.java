package io.jrump.kern.syscall.sp;

import io.jrump.kern.module.ModStat;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of {@link ArgCodec}s one server or client uses, by tag and by class. It is an instance,
 * not a static table, so that two servers in one JVM may know different classes; what a server does not
 * know it refuses (EFAULT to that call), and what a client does not know it cannot send.
 */
public final class ArgCodecs {
    private final Map<String, ArgCodec<?>> byTag = new ConcurrentHashMap<>();
    private final Map<Class<?>, ArgCodec<?>> byType = new ConcurrentHashMap<>();

    /** A registry with only the kernel's own records ({@link SysctlEntry}, {@link ModStat}, the file syscalls' {@link Stat} and kin). */
    public static ArgCodecs core() {
        ArgCodecs c = new ArgCodecs();
        c.register(FieldsCodec.of(SysctlEntry.class, "sysctl-entry"));
        c.register(FieldsCodec.of(ModStat.class, "modstat"));
        c.register(FieldsCodec.of(Stat.class, "stat"));
        c.register(FieldsCodec.of(StatVfs.class, "statvfs"));
        c.register(FieldsCodec.of(Dirent.class, "dirent"));
        c.register(FieldsCodec.of(Timespec.class, "timespec"));
        c.register(FieldsCodec.of(Flock.class, "flock"));
        return c;
    }

    /**
     * {@link #core()} plus what the {@link ArgCodecProvider} services on the class path register: each
     * component jar declares its own ioctl argument records (rumpnet_net's {@code IfReq}), so a server
     * linking networking and an interface tool agree on them with no setup, and the codec names no
     * class above the kernel. What both ends use unless told otherwise.
     */
    public static ArgCodecs standard() {
        ArgCodecs c = core();
        for (ArgCodecProvider p : ServiceLoader.load(ArgCodecProvider.class, ArgCodecs.class.getClassLoader())) {
            p.register(c);
        }
        return c;
    }

    /** Adds a codec; a tag or class that is already registered is an error, not a silent override. */
    public synchronized <T> ArgCodecs register(ArgCodec<T> codec) {
        String tag = codec.tag();
        if (tag.isEmpty() || tag.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Protocol.MAX_NAME) {
            throw new IllegalArgumentException("codec tag must be 1.." + Protocol.MAX_NAME + " bytes: '" + tag + "'");
        }
        ArgCodec<?> t = byTag.get(tag);
        ArgCodec<?> c = byType.get(codec.type());
        if (t != null || c != null) {
            throw new IllegalStateException("argument codec for " + codec.type().getName() + " as '" + tag
                    + "' conflicts with " + (t != null ? t.type().getName() + " as '" + t.tag() + "'"
                    : c.type().getName() + " as '" + c.tag() + "'"));
        }
        byTag.put(tag, codec);
        byType.put(codec.type(), codec);
        return this;
    }

    public ArgCodec<?> forTag(String tag) {
        return byTag.get(tag);
    }

    public ArgCodec<?> forType(Class<?> type) {
        return byType.get(type);
    }
}
