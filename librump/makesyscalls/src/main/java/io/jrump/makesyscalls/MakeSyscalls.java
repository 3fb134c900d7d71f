package io.jrump.makesyscalls;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.tools.Diagnostic;

/**
 * The syscall table's generator, NetBSD's {@code makesyscalls.sh} in the form Java's build runs by
 * itself: an annotation processor that rumpkern's compile loads. It reads the {@code @Syscall} methods
 * (and {@code @Syscall.Alias} rows) of the one interface that carries them, {@code Syscalls}, checks
 * them (a number used twice with different names, an argument slot two entries of a row use
 * differently, more than six slots), and writes beside it what Java cannot derive at run time:
 * {@code SyscallNumbers} (compile-time constants, {@code syscall.h}), {@code SyscallStubs} (one typed,
 * allocation-free marshalling method per entry, {@code rump_syscalls.c}) and {@code SyscallRows} (the
 * rows with their argument kinds and directions, which the remote codec and the tests read at run time).
 */
@SupportedAnnotationTypes({MakeSyscalls.SYSCALL, MakeSyscalls.ALIAS, MakeSyscalls.ALIASES})
public final class MakeSyscalls extends AbstractProcessor {
    static final String SYSCALL = "io.jrump.kern.syscall.Syscall";
    static final String ALIAS = SYSCALL + ".Alias";
    static final String ALIASES = SYSCALL + ".Aliases";
    private static final String OUT = SYSCALL + ".Out";
    private static final String INOUT = SYSCALL + ".InOut";
    /** SyscallArgs.MAX: integer and object slots of a call. */
    private static final int MAX_ARGS = 6;
    /** NetBSD's SYS_MAXSYSCALL is above every row; the kernel's table has this many slots. */
    static final int MAXSYSCALL = 512;
    private boolean done;

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment env) {
        TypeElement ann = processingEnv.getElementUtils().getTypeElement(SYSCALL);
        if (done || ann == null) {
            return false;
        }
        Set<? extends Element> methods = env.getElementsAnnotatedWith(ann);
        if (methods.isEmpty()) {
            return false;
        }
        done = true;
        TypeElement iface = (TypeElement) methods.iterator().next().getEnclosingElement();
        for (Element m : methods) {
            if (m.getEnclosingElement() != iface) {
                error(m, "every @Syscall method must be in " + iface.getQualifiedName());
                return false;
            }
        }
        Table t = read(iface);
        if (t == null) {
            return false;
        }
        try {
            write(iface, "SyscallNumbers", Sources.numbers(t));
            write(iface, "SyscallStubs", Sources.stubs(t));
            write(iface, "SyscallRows", Sources.rows(t));
            write(iface, "ForwardingSyscalls", Sources.forwarding(t));
        } catch (IOException e) {
            error(iface, "cannot write the syscall sources: " + e);
        }
        return false;
    }

    private void write(TypeElement origin, String name, String text) throws IOException {
        String pkg = ((PackageElement) origin.getEnclosingElement()).getQualifiedName().toString();
        try (Writer w = processingEnv.getFiler().createSourceFile(pkg + "." + name, origin).openWriter()) {
            w.write(text);
        }
    }

    private void error(Element e, String msg) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, msg, e);
    }

    /** The table, or null after reporting every problem found. */
    private Table read(TypeElement iface) {
        boolean ok = true;
        List<Table.Entry> entries = new ArrayList<>();
        Map<String, ExecutableElement> byMethod = new LinkedHashMap<>();
        for (Element e : iface.getEnclosedElements()) {
            if (e.getKind() != ElementKind.METHOD) {
                continue;
            }
            ExecutableElement m = (ExecutableElement) e;
            AnnotationMirror a = mirror(m, SYSCALL);
            if (a == null) {
                if (m.getModifiers().contains(Modifier.ABSTRACT) && !m.getSimpleName().contentEquals("syscall")) {
                    error(m, "a method of the syscall interface needs its @Syscall row");
                    ok = false;
                }
                continue;
            }
            Table.Entry en = entry(m, a);
            if (en == null) {
                ok = false;
                continue;
            }
            entries.add(en);
            byMethod.put(en.method(), m);
        }
        for (AnnotationMirror al : aliases(iface)) {
            String of = str(al, "argsOf");
            Table.Entry base = entries.stream().filter(x -> x.method().equals(of)).findFirst().orElse(null);
            if (base == null || base.op() >= 0) {
                error(iface, "alias " + str(al, "name") + " takes the arguments of '" + of
                        + "', which is not a plain @Syscall method");
                ok = false;
                continue;
            }
            entries.add(new Table.Entry(null, num(al, "number"), str(al, "name"), str(al, "component"), -1,
                    base.sleeps(), false, base.params(), "long", "long", null, false, List.of(), true));
        }
        Map<Integer, List<Table.Entry>> byNumber = new TreeMap<>();
        for (Table.Entry en : entries) {
            byNumber.computeIfAbsent(en.number(), n -> new ArrayList<>()).add(en);
        }
        List<Table.Row> rows = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Table.Entry>> r : byNumber.entrySet()) {
            Table.Row row = row(iface, r.getKey(), r.getValue());
            if (row == null) {
                ok = false;
                continue;
            }
            Integer other = names.put(row.name(), row.number());
            if (other != null) {
                error(iface, "rows " + other + " and " + row.number() + " are both named " + row.name());
                ok = false;
            }
            rows.add(row);
        }
        String pkg = ((PackageElement) iface.getEnclosingElement()).getQualifiedName().toString();
        return ok ? new Table(pkg, iface.getSimpleName().toString(), entries, rows) : null;
    }

    private Table.Entry entry(ExecutableElement m, AnnotationMirror a) {
        int number = num(a, "number");
        int op = num(a, "op");
        if (number <= 0 || number >= MAXSYSCALL) {
            error(m, "syscall number " + number + " is outside 1.." + (MAXSYSCALL - 1));
            return null;
        }
        List<Table.Param> params = new ArrayList<>();
        int slot = 0;
        if (op >= 0) {
            params.add(new Table.Param(slot++, Table.Kind.INT, Table.Dir.IN, "op", "int", "int", false));
        }
        for (VariableElement p : m.getParameters()) {
            if (slot >= MAX_ARGS) {
                error(p, "a syscall has at most " + MAX_ARGS + " argument slots");
                return null;
            }
            TypeMirror ty = p.asType();
            AnnotationMirror out = mirror(p, OUT);
            boolean whole = out != null && (Boolean) value(out, "whole");
            Table.Dir dir = out != null ? Table.Dir.OUT
                    : mirror(p, INOUT) != null ? Table.Dir.INOUT : Table.Dir.IN;
            Table.Kind kind;
            if (ty.getKind() == TypeKind.INT || ty.getKind() == TypeKind.LONG) {
                kind = Table.Kind.INT;
                if (dir != Table.Dir.IN) {
                    error(p, "a number is passed by value: it cannot be written back");
                    return null;
                }
            } else if (ty.getKind().isPrimitive()) {
                error(p, "syscall arguments are int, long or objects, not " + ty);
                return null;
            } else {
                String e = erased(ty);
                kind = e.equals("java.nio.ByteBuffer") ? Table.Kind.BUFFER
                        : e.equals("java.nio.ByteBuffer[]") ? Table.Kind.BUFFERS : Table.Kind.VALUE;
                if (kind == Table.Kind.BUFFERS && dir == Table.Dir.INOUT) {
                    error(p, "an iovec is read or filled by the kernel, not both");
                    return null;
                }
            }
            if (whole && kind != Table.Kind.BUFFER) {
                error(p, "only a buffer is filled whole");
                return null;
            }
            params.add(new Table.Param(slot++, kind, dir, p.getSimpleName().toString(), ty.toString(), erased(ty),
                    whole));
        }
        TypeMirror ret = m.getReturnType();
        String returns;
        String resultType = null;
        boolean list = false;
        switch (ret.getKind()) {
            case VOID -> returns = "void";
            case INT -> returns = "int";
            case LONG -> returns = "long";
            case DECLARED -> {
                returns = "result";
                resultType = erased(ret);
                List<? extends TypeMirror> targs = ((DeclaredType) ret).getTypeArguments();
                if (resultType.equals("java.util.List") && targs.size() == 1) {
                    list = true;
                    resultType = erased(targs.get(0));
                } else if (!targs.isEmpty()) {
                    error(m, "a syscall result is a plain class or a List, not " + ret);
                    return null;
                }
            }
            default -> {
                error(m, "a syscall returns void, int, long or an object, not " + ret);
                return null;
            }
        }
        List<String> thrown = m.getThrownTypes().stream().map(TypeMirror::toString).toList();
        return new Table.Entry(m.getSimpleName().toString(), number, str(a, "name"), str(a, "component"), op,
                bool(a, "sleeps"), bool(a, "halts"), params, ret.toString(), returns, resultType, list, thrown, false);
    }

    private Table.Row row(TypeElement iface, int number, List<Table.Entry> es) {
        Table.Entry first = es.get(0);
        Table.Param[] slots = new Table.Param[MAX_ARGS * 2];
        List<String> methods = new ArrayList<>();
        for (Table.Entry e : es) {
            if (!e.name().equals(first.name()) || !e.component().equals(first.component())
                    || e.sleeps() != first.sleeps() || e.halts() != first.halts()) {
                error(iface, "the entries of row " + number + " disagree on its name, component or flags: "
                        + first.name() + "/" + first.component() + " and " + e.name() + "/" + e.component());
                return null;
            }
            if (e.method() != null) {
                methods.add(e.method());
            }
            for (Table.Param p : e.params()) {
                int k = p.slot() * 2 + (p.kind() == Table.Kind.INT ? 0 : 1);
                Table.Param had = slots[k];
                if (had == null) {
                    slots[k] = p;
                } else if (had.kind() != p.kind() || had.dir() != p.dir() || had.whole() != p.whole()) {
                    error(iface, "row " + first.name() + ": slot " + p.slot() + " is " + had.kind() + " " + had.dir()
                            + " for one entry and " + p.kind() + " " + p.dir() + " for another");
                    return null;
                }
            }
        }
        List<Table.Param> args = new ArrayList<>();
        for (Table.Param p : slots) {
            if (p != null) {
                args.add(p);
            }
        }
        return new Table.Row(number, first.name(), first.component(), first.sleeps(), first.halts(), args, methods);
    }

    private String erased(TypeMirror t) {
        return processingEnv.getTypeUtils().erasure(t).toString();
    }

    private static AnnotationMirror mirror(Element e, String type) {
        for (AnnotationMirror a : e.getAnnotationMirrors()) {
            if (((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(type)) {
                return a;
            }
        }
        return null;
    }

    private List<AnnotationMirror> aliases(TypeElement iface) {
        List<AnnotationMirror> l = new ArrayList<>();
        AnnotationMirror one = mirror(iface, ALIAS);
        if (one != null) {
            l.add(one);
        }
        AnnotationMirror many = mirror(iface, ALIASES);
        if (many != null) {
            for (Object v : (List<?>) value(many, "value")) {
                l.add((AnnotationMirror) ((AnnotationValue) v).getValue());
            }
        }
        return l;
    }

    private Object value(AnnotationMirror a, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
                : processingEnv.getElementUtils().getElementValuesWithDefaults(a).entrySet()) {
            if (e.getKey().getSimpleName().contentEquals(name)) {
                return e.getValue().getValue();
            }
        }
        throw new IllegalStateException("no element " + name + " in " + a);
    }

    private int num(AnnotationMirror a, String name) {
        return (Integer) value(a, name);
    }

    private String str(AnnotationMirror a, String name) {
        return (String) value(a, name);
    }

    private boolean bool(AnnotationMirror a, String name) {
        return (Boolean) value(a, name);
    }
}
