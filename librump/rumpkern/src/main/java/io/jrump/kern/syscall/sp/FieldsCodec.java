package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.MAX_ELEMENTS;
import static io.jrump.kern.syscall.sp.Protocol.MAX_NAME;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The generic codec: a record of named, typed fields. It serves the two shapes the kernel's argument
 * objects have: a mutable class with public fields and a public no-argument constructor (an ioctl
 * argument such as {@code IfReq}, updated in place), and a Java record (a result such as
 * {@code SysctlEntry}), built through its canonical constructor.
 *
 * <p>Fields travel by name, so that a client and a server built from slightly different versions of a
 * class still agree: a name the reader does not know is skipped, a field the writer did not send keeps
 * its default. Field types: the primitives int, long, short, byte and boolean and their boxes, String,
 * enums (by constant name), int[], byte[], List, and any class with a registered codec. Everything about
 * the class is looked up once, at construction, so a call costs field reads and writes only.
 */
public final class FieldsCodec<T> implements ArgCodec<T> {
    private final Class<T> type;
    private final String tag;
    private final String[] names;
    private final Class<?>[] types;
    private final Class<?>[] elementTypes;
    private final Field[] fields;
    private final Method[] accessors;
    private final Constructor<T> ctor;
    private final boolean record;

    private FieldsCodec(Class<T> type, String tag) {
        this.type = type;
        this.tag = tag;
        this.record = type.isRecord();
        try {
            if (record) {
                RecordComponent[] rc = type.getRecordComponents();
                names = new String[rc.length];
                types = new Class<?>[rc.length];
                elementTypes = new Class<?>[rc.length];
                accessors = new Method[rc.length];
                fields = null;
                for (int k = 0; k < rc.length; k++) {
                    names[k] = rc[k].getName();
                    types[k] = rc[k].getType();
                    elementTypes[k] = elementType(rc[k].getGenericType());
                    accessors[k] = rc[k].getAccessor();
                }
                ctor = type.getConstructor(types);
            } else {
                List<Field> fl = new ArrayList<>();
                for (Field f : type.getFields()) {
                    int m = f.getModifiers();
                    if (!Modifier.isStatic(m) && !Modifier.isFinal(m)) {
                        fl.add(f);
                    }
                }
                fl.sort(Comparator.comparing(Field::getName));
                fields = fl.toArray(new Field[0]);
                names = new String[fields.length];
                types = new Class<?>[fields.length];
                elementTypes = new Class<?>[fields.length];
                accessors = null;
                for (int k = 0; k < fields.length; k++) {
                    names[k] = fields[k].getName();
                    types[k] = fields[k].getType();
                    elementTypes[k] = elementType(fields[k].getGenericType());
                }
                ctor = type.getConstructor();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type.getName() + " cannot be passed by value: it needs "
                    + (record ? "a public canonical constructor" : "a public no-argument constructor"));
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " cannot be passed by value: it is not public");
        }
        for (int k = 0; k < names.length; k++) {
            if (names[k].length() > MAX_NAME) {
                throw new IllegalArgumentException("field name " + names[k] + " of " + type.getName() + " is too long");
            }
        }
    }

    /** A codec for {@code type} under {@code tag}; fails now, not at the first call, if the class cannot be. */
    public static <T> FieldsCodec<T> of(Class<T> type, String tag) {
        return new FieldsCodec<>(type, tag);
    }

    private static Class<?> elementType(Type g) {
        if (g instanceof ParameterizedType p && p.getActualTypeArguments().length == 1
                && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return Object.class;
    }

    @Override
    public String tag() {
        return tag;
    }

    @Override
    public Class<T> type() {
        return type;
    }

    @Override
    public boolean mutable() {
        return !record;
    }

    private Object get(T v, int k) throws ProtocolException {
        try {
            return record ? accessors[k].invoke(v) : fields[k].get(v);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new ProtocolException("cannot read " + type.getSimpleName() + "." + names[k] + ": " + e);
        }
    }

    @Override
    public void write(T value, WireWriter out, ArgCodecs codecs) throws ProtocolException {
        out.u16(names.length);
        for (int k = 0; k < names.length; k++) {
            out.string(names[k], MAX_NAME);
            Object v = get(value, k);
            Values.write(out, v instanceof Enum<?> e ? e.name() : v, codecs, 1);
        }
    }

    @Override
    public T read(WireReader in, ArgCodecs codecs, int depth) throws ProtocolException {
        int n = in.u16("field count");
        if (n > MAX_ELEMENTS) {
            throw new ProtocolException("record with " + n + " fields");
        }
        Object[] values = new Object[names.length];
        boolean[] seen = new boolean[names.length];
        for (int f = 0; f < n; f++) {
            String name = in.string("field name", MAX_NAME);
            Object v = Values.readPayload(in, in.u8("field tag"), codecs, depth, false);
            int k = indexOf(name);
            if (k < 0) {
                continue;
            }
            if (seen[k]) {
                throw new ProtocolException(tag + ": field " + name + " sent twice");
            }
            seen[k] = true;
            values[k] = convert(v, k, codecs);
        }
        for (int k = 0; k < names.length; k++) {
            if (!seen[k] && types[k].isPrimitive()) {
                values[k] = zero(types[k]);
            }
        }
        try {
            if (record) {
                return ctor.newInstance(values);
            }
            T obj = ctor.newInstance();
            for (int k = 0; k < names.length; k++) {
                if (seen[k]) {
                    fields[k].set(obj, values[k]);
                }
            }
            return obj;
        } catch (InvocationTargetException e) {
            throw new ProtocolException(tag + " rejected: " + e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new ProtocolException(tag + " cannot be built: " + e);
        }
    }

    private int indexOf(String name) {
        for (int k = 0; k < names.length; k++) {
            if (names[k].equals(name)) {
                return k;
            }
        }
        return -1;
    }

    private static Object zero(Class<?> t) {
        if (t == boolean.class) {
            return false;
        }
        if (t == long.class) {
            return 0L;
        }
        if (t == short.class) {
            return (short) 0;
        }
        if (t == byte.class) {
            return (byte) 0;
        }
        if (t == char.class) {
            return (char) 0;
        }
        if (t == float.class) {
            return 0f;
        }
        if (t == double.class) {
            return 0d;
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object convert(Object v, int k, ArgCodecs codecs) throws ProtocolException {
        Class<?> t = types[k];
        String where = tag + "." + names[k];
        if (v == null) {
            if (t.isPrimitive()) {
                throw new ProtocolException(where + " may not be null");
            }
            return null;
        }
        if (t == int.class || t == Integer.class) {
            if (v instanceof Integer) {
                return v;
            }
        } else if (t == long.class || t == Long.class) {
            if (v instanceof Long) {
                return v;
            }
            if (v instanceof Integer i) {
                return (long) i;
            }
        } else if (t == boolean.class || t == Boolean.class) {
            if (v instanceof Boolean) {
                return v;
            }
        } else if (t == short.class || t == Short.class) {
            if (v instanceof Integer i && i == i.shortValue()) {
                return i.shortValue();
            }
        } else if (t == byte.class || t == Byte.class) {
            if (v instanceof Integer i && i == i.byteValue()) {
                return i.byteValue();
            }
        } else if (t.isEnum()) {
            if (v instanceof String s) {
                try {
                    return Enum.valueOf((Class) t, s);
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException(where + ": no constant " + s);
                }
            }
        } else if (t == List.class || t == java.util.Collection.class) {
            if (v instanceof List<?> l) {
                Class<?> et = elementTypes[k];
                for (Object e : l) {
                    if (e != null && !et.isInstance(e)) {
                        throw new ProtocolException(where + ": list element " + e.getClass().getSimpleName()
                                + " is not a " + et.getSimpleName());
                    }
                }
                return l;
            }
        } else if (t.isInstance(v)) {
            return v;
        }
        throw new ProtocolException(where + " is a " + t.getSimpleName() + ", not a " + v.getClass().getSimpleName());
    }

    @Override
    public void update(T from, T into) {
        if (record) {
            throw new UnsupportedOperationException(type.getName() + " is immutable");
        }
        try {
            for (Field f : fields) {
                f.set(into, f.get(from));
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
