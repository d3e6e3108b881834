package dev.rig.dsl;

import dev.rig.engine.model.VmBuilder;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The words allowed inside {@code vm { ... }}: each forwards to {@link VmBuilder}, recording the script line.
 * A bad value or an unknown word is recorded as a problem and evaluation goes on, so one run reports them all.
 * (A GroovyObject, because closures forward missing methods only to GroovyObject delegates.)
 */
public class VmDsl extends groovy.lang.GroovyObjectSupport {
    private static final Set<String> WORDS = Arrays.stream(VmDsl.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.getName().endsWith("Missing"))
            .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));

    private final VmBuilder builder;
    private final ScriptContext context;
    private final Path baseDir;

    VmDsl(VmBuilder builder, ScriptContext context, Path baseDir) {
        this.builder = builder;
        this.context = context;
        this.baseDir = baseDir;
    }

    /** Runs one setting; a value the builder rejects becomes a problem at the current line. */
    private void apply(String word, Runnable setting) {
        try {
            builder.at(context.here());
            setting.run();
        } catch (IllegalArgumentException e) {
            context.problem(word + ": " + e.getMessage());
        }
    }

    private Path resolve(String file) { return baseDir.resolve(file).normalize(); }

    public void name(String name) { apply("name", () -> builder.name(name)); }

    public void cpus(int count) { apply("cpus", () -> builder.cpus(count)); }

    public void memory(String size) { apply("memory", () -> builder.memory(size)); }

    public void memory(long bytes) { apply("memory", () -> builder.memory(new dev.rig.engine.model.MemorySize(bytes))); }

    public void guest(String builtin) { apply("guest", () -> builder.guest(builtin)); }

    public void kernel(String file) { apply("kernel", () -> builder.kernel(resolve(file))); }

    public void initrd(String file) { apply("initrd", () -> builder.initrd(resolve(file))); }

    public void cmdline(String cmdline) { apply("cmdline", () -> builder.cmdline(cmdline)); }

    /** 'stdout', 'tty', 'off', or a log file (relative to the script). */
    public void serial(String where) {
        apply("serial", () -> builder.serial(switch (where) {
            case "stdout", "tty", "off", "none" -> where;
            default -> resolve(where).toString();
        }));
    }

    /** Groovy calls this for a word VmDsl lacks, or a known word with arguments of the wrong type. */
    public Object methodMissing(String name, Object args) {
        Object[] values = args instanceof Object[] a ? a : new Object[]{args};
        if (WORDS.contains(name)) {
            context.problem(name + " does not take " + describe(values) + "; it takes " + signatures(name));
        } else {
            context.problem("unknown setting '" + name + "' in vm { }" + Suggestions.hint(name, WORDS)
                    + "; known settings: " + String.join(", ", WORDS));
        }
        return null;
    }

    public Object propertyMissing(String name) {
        context.problem("unknown word '" + name + "' in vm { }" + Suggestions.hint(name, WORDS));
        return null;
    }

    public void propertyMissing(String name, Object value) {
        context.problem((WORDS.contains(name) ? "write " + name + " " + literal(value) + " (no '=')"
                : "unknown setting '" + name + "' in vm { }" + Suggestions.hint(name, WORDS)));
    }

    private static String describe(Object[] values) {
        if (values.length == 0) return "no value";
        return Arrays.stream(values).map(v -> literal(v) + " (" + typeName(v) + ")").collect(Collectors.joining(", "));
    }

    private static String literal(Object v) { return v instanceof CharSequence ? "'" + v + "'" : String.valueOf(v); }

    private static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof CharSequence) return "text";
        if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) return "whole number";
        if (v instanceof Number) return "decimal number";
        if (v instanceof groovy.lang.Closure<?>) return "block";
        return v.getClass().getSimpleName();
    }

    private static String signatures(String name) {
        List<String> forms = Arrays.stream(VmDsl.class.getDeclaredMethods())
                .filter(m -> m.getName().equals(name) && Modifier.isPublic(m.getModifiers()))
                .map(m -> Arrays.stream(m.getParameterTypes()).map(VmDsl::paramName).collect(Collectors.joining(", ")))
                .sorted().toList();
        return String.join(" or ", forms);
    }

    private static String paramName(Class<?> c) {
        if (c == String.class) return "text";
        if (c == int.class || c == long.class) return "a whole number";
        return c.getSimpleName();
    }
}
